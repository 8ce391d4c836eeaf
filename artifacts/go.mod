// A module of its own so the go command leaves artifacts/ alone: runs keep
// generated Go sources here (as the model wrote them, before validation).
module artifacts
