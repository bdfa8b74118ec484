// Package rulebridge is an embeddable, EventBridge-style event rule engine
// for Go.
//
// It matches JSON events against AWS EventBridge event patterns, fires rules
// on cron(...), rate(...) and at(...) schedules, and fans every match out to
// pluggable targets with retry, backoff and a dead-letter queue. It runs in
// your process: there is no AWS account, broker or server involved.
//
// The work is split into packages, each with one job; most programs import
// only the ones they need:
//
//   - [github.com/rulebridge/rulebridge/pattern] compiles, validates and
//     matches event patterns, one at a time or thousands at once.
//   - [github.com/rulebridge/rulebridge/schedule] parses AWS schedule
//     expressions into values that run on github.com/robfig/cron/v3.
//   - [github.com/rulebridge/rulebridge/targets] delivers matched events:
//     the Target interface, built-in targets, retry, dead-lettering and
//     input transformation.
//   - [github.com/rulebridge/rulebridge/rules] is the engine that ties them
//     together behind an API that mirrors EventBridge's.
//
// The rulebridge command (cmd/rulebridge) runs rules from a file and tests
// event patterns from the shell.
package rulebridge
