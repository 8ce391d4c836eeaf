module example.com/sla-credits/tests

go 1.24
