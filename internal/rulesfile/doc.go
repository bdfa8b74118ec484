// Package rulesfile loads rulebridge rules files: YAML or JSON documents
// whose rules use CloudFormation's AWS::Events::Rule property names, so that
// existing definitions paste in. It validates a whole file before anything
// runs, reporting every problem with its file, line, column, rule and
// target, and builds the targets the file describes. It does not run rules:
// the engine (package rules) and the rulebridge command do.
//
//	f, err := rulesfile.Load("rules.yaml") // err lists every problem
//	built, err := f.Build(rulesfile.BuildOptions{Stdout: os.Stdout})
//	defer built.Close()
//	// f.Rules[i] with built.Targets[i][j]: see [BuiltTarget]
//
// # Schema
//
// The file is one YAML document (JSON is YAML) holding a mapping with one
// key, Rules, a sequence of rules. Property names are case-sensitive; an
// unknown property (a typo such as Targts) is an error, and so is a
// CloudFormation property rulebridge does not support (EventBusName,
// RoleArn, Arn, SqsParameters, ...). A property whose value is null is the
// same as a property left out.
//
//	Rules:
//	  - Name: orders                  # required; 1-64 of . - _ A-Z a-z 0-9; unique
//	    Description: ...              # optional; at most 512 characters
//	    EventPattern:                 # a mapping, or a string holding JSON
//	      source: [com.example.orders]
//	    ScheduleExpression: rate(5 minutes)   # cron(...), rate(...) or at(...)
//	    ScheduleExpressionTimezone: Asia/Tokyo # IANA name; default UTC
//	    State: ENABLED                # ENABLED (default) or DISABLED
//	    Condition: detail.total > 100 # a CEL expression, checked by the engine
//	    Threshold:                    # fire only past a threshold (see below)
//	      Count: 3
//	      Period: 5m
//	    Targets:                      # at most 5
//	      - Id: billing               # required; 1-64 of . - _ A-Z a-z 0-9; unique in the rule
//	        InputTransformer:         # or Input, or InputPath: at most one
//	          InputPathsMap: {id: $.detail.id}
//	          InputTemplate: '{"order": <id>}'
//	        RetryPolicy:
//	          MaximumRetryAttempts: 2       # 0-185; 0 means no retries
//	          MaximumEventAgeInSeconds: 60  # 60-86400
//	        DeadLetterConfig:
//	          File: {Path: dlq.jsonl}       # a target kind, as below
//	        Http:                     # exactly one of Http, File, Stdout
//	          Endpoint: https://billing.example.com/events
//
// A rule needs an EventPattern, a ScheduleExpression, or both (it then
// fires on matching events and on the schedule, as EventBridge's PutRule
// says). ScheduleExpressionTimezone, from EventBridge Scheduler, needs a
// ScheduleExpression.
//
// EventPattern is compiled with pattern.Compile, so it accepts exactly
// what EventBridge accepts and is refused with AWS's reason and the JSON
// path at fault. Given as a mapping, it is rendered as compact JSON first:
// YAML strings become JSON strings, unquoted numbers, true, false and null
// keep their types (quote account ids: "123456789012"), and a number
// keeps the digits it was written with. Given as a string, the string is
// the pattern. Both forms mean the same. An error inside a mapping, or
// inside a literal block string (EventPattern: |), is located at its line
// in the file; inside another string, at the string, with the line and
// column in the pattern.
//
// Condition must be a non-empty string; compiling it is the engine's job
// (report its errors with [Rule.Errorf]).
//
// Threshold, from CloudWatch alarms, has Count (a positive integer,
// required), Period (required: a Go duration such as 5m or 1h30m, or a
// whole number of seconds such as 300), Field (optional: the dotted path
// of a numeric event field, such as detail.errors, whose values are summed
// instead of counting events; a leading "$." is dropped; no array
// indexes) and Comparison (>=, >, <= or <, or CloudWatch's
// GreaterThanOrEqualToThreshold, GreaterThanThreshold,
// LessThanOrEqualToThreshold, LessThanThreshold; default >=). A threshold
// needs an EventPattern.
//
// # Targets
//
// Input is constant JSON: a string holding JSON text, or a YAML value
// rendered as JSON as EventPattern is. InputPath is a JSONPath.
// InputTransformer has InputPathsMap (a mapping of variable names to
// JSONPaths) and InputTemplate (a string, required). All three are checked
// by targets.NewShaper with EventBridge's rules.
//
// RetryPolicy has EventBridge's meaning: MaximumRetryAttempts 0 means no
// retries at all, and a field left out takes EventBridge's default (185
// retries; 86400 seconds). It is checked by targets.RetryPolicy.Validate.
//
// DeadLetterConfig holds one target kind (Http, File or Stdout), which
// receives a targets.DeadLetterRecord (the original event plus
// EventBridge's dead-letter attributes) for every event the target fails
// to take.
//
// The kinds:
//
//   - Http: {Endpoint, Method, Headers, TimeoutSeconds,
//     RateLimitPerSecond, Auth} sends each payload as a request body (see
//     targets.HTTP). Endpoint (http or https) is required. Method defaults
//     to POST. Headers is a mapping of header names to values.
//     TimeoutSeconds (default 5) and RateLimitPerSecond (default 300) are
//     positive numbers and may have fractions. Auth is one of
//     {Basic: {Username, Password}}, {ApiKey: {Header, Value}} or
//     {OAuth: {TokenUrl, ClientId, ClientSecret, Scopes}} (Scopes a
//     sequence of strings), all required but Scopes.
//   - File: {Path} appends each payload as one JSON line (see
//     targets.File), creating the file (mode 0600) if needed. A relative
//     Path is relative to the rules file's directory, not to the working
//     directory; "~" is not expanded, and "${" is refused (environment
//     variables are only read in Http properties).
//   - Stdout: {} (or Stdout: with no value) writes each payload as one
//     JSON line to the writer given to [File.Build] (see [LineWriter]).
//
// # Environment variables
//
// Http's Endpoint and Headers values, and every Auth value but ApiKey's
// Header and OAuth's Scopes, may refer to environment variables:
// ${NAME} is replaced by the value of NAME, which must be set and
// non-empty (it is read with targets.SecretFromEnv); $${ stands for a
// literal ${, and any other $ is literal. NAME is letters, digits and
// underscores, not starting with a digit. Variables are read when the file
// is loaded. Messages name missing variables but never print a value of
// these properties, which may be credentials.
//
// # YAML
//
// Aliases (*name), merge keys (<<) and tags other than YAML's own (such as
// CloudFormation's !Sub and !Ref) are refused: intrinsic functions are not
// evaluated. JSON files may escape characters outside the Basic
// Multilingual Plane as surrogate pairs (\ud83d\ude00), which the YAML
// parser does not accept by itself.
//
// # Errors
//
// [Load] and [Parse] check everything that does not touch the file system
// or the network and return every problem at once, sorted by position, as
// an [ErrorList] of [*Error]:
//
//	rules.yaml:12:9: rule "orders": target "billing": RetryPolicy.MaximumRetryAttempts: 200 is out of range 0-185 (0 means no retries; leave it out for the default, 185)
//
// [File.Check] then reports File paths whose directory does not exist,
// without creating anything (rulebridge validate), and [File.Build]
// reports files it cannot open.
//
// # Concurrency
//
// Load, Parse and Check are safe for concurrent use. A [File] is read-only
// after loading. The targets in a [Built] are safe for concurrent use, as
// targets require; Close it once deliveries are over.
package rulesfile
