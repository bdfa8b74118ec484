module github.com/rulebridge/rulebridge

go 1.26

require (
	github.com/robfig/cron/v3 v3.0.1
	go.uber.org/goleak v1.3.0
)
