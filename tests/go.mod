module example.com/deploy-notifier/tests

go 1.24
