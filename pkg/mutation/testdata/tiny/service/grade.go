package main

// grade is A from 90, pass from 50, fail below.
func grade(score int) string {
	if score >= 90 {
		return "A"
	}
	if score >= 50 {
		return "pass"
	}
	return "fail"
}

// bonus is run by no test.
func bonus(n int) int {
	if n > 3 {
		return n * 2
	}
	return n
}
