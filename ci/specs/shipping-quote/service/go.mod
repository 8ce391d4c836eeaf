module example.com/shipping-quote

go 1.24
