module example.com/sla-credits

go 1.24
