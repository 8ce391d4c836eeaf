module example.com/shipping-quote/tests

go 1.24
