module github.com/rulebridge/rulebridge

go 1.26

require (
	github.com/robfig/cron/v3 v3.0.1
	github.com/tidwall/gjson v1.20.2
	go.uber.org/goleak v1.3.0
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.3.0 // indirect
)
