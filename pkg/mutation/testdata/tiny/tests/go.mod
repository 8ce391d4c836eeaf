module example.com/tiny-tests

go 1.24
