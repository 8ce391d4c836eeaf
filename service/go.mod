module example.com/deploy-notifier

go 1.24
