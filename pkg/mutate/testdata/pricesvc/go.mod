module example.com/pricesvc

go 1.24
