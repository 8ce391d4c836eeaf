package llm

import (
	"encoding/json"
	"testing"
)

func TestExtractJSON(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"plain":          {`{"a":1}`, `{"a":1}`},
		"fenced":         {"Here you go:\n```json\n{\"a\": [1, 2]}\n```\nHope it helps.", `{"a":[1,2]}`},
		"prose around":   {`Sure! {"a": "x}"} is the answer.`, `{"a":"x}"}`},
		"trailing comma": {`{"a": [1, 2,], "b": 3,}`, `{"a":[1,2],"b":3}`},
		"cut off":        {`{"files": [{"path": "a.go", "content": "x"}, {"path": "b.go", "conte`, `{"files":[{"path":"a.go","content":"x"},{"path":"b.go"}]}`},
		"cut in fence":   {"```json\n{\"a\": 1, \"b\": [1, 2", `{"a":1,"b":[1]}`},
		"escaped quote":  {`{"a": "say \"hi\", ok"}`, `{"a":"say \"hi\", ok"}`},
	}
	for name, c := range cases {
		got, err := ExtractJSON(c.in)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var a, b any
		json.Unmarshal(got, &a)
		json.Unmarshal([]byte(c.want), &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s: got %s want %s", name, ja, jb)
		}
	}
	for _, bad := range []string{"I cannot help with that.", "{not json at all}"} {
		if _, err := ExtractJSON(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestCandidatesDropWholeElements(t *testing.T) {
	c, err := Candidates(`{"files": [{"path": "a.go", "content": "x"}, {"path": "b.go", "conte`)
	if err != nil || len(c) < 2 {
		t.Fatalf("%d candidates, %v", len(c), err)
	}
	if string(c[1]) != `{"files": [{"path": "a.go", "content": "x"}]}` {
		t.Fatalf("second candidate %s", c[1])
	}
}
