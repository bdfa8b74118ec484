module github.com/rulebridge/rulebridge

go 1.26
