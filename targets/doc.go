// Package targets delivers matched events to targets, as Amazon
// EventBridge delivers them to a rule's targets: with input shaping,
// retries with exponential backoff and jitter, and a dead-letter queue, so
// that no event is silently lost.
//
// # Targets and deliveries
//
// A [Target] has one method, Deliver(ctx, [Delivery]). A Delivery carries
// the bytes to send (Payload, after input shaping), the original Event,
// and the metadata: rule name and ARN, target id, event id, ingestion
// time and attempt number. Built-in targets:
//
//   - [Func] adapts a Go function.
//   - [HTTP] sends the payload to an HTTP endpoint as EventBridge's API
//     destinations do: 5 s timeout, 300 requests/s, auth from a reusable
//     [Connection] ([BasicAuth], [APIKeyAuth], [OAuthClientCredentials]),
//     and EventBridge's rules for which statuses are retried.
//   - [Queue] is a bounded in-memory queue that consumers Receive from and
//     Ack or Nack.
//   - [File] appends JSON lines; with [DeadLetter] it is a dead-letter
//     queue on disk.
//
// Targets that hold resources implement io.Closer. The suite in
// [github.com/rulebridge/rulebridge/targets/targettest] checks a Target
// implementation against the contract.
//
// # Composition
//
// Each delivery concern is a [Middleware], one per file: [DeadLetter],
// [Retry], [Shape], [RateLimit], [Concurrency] and [Timeout]; [Chain]
// composes them. [Wrap] applies a rule target's whole [Config] in the one
// order that works:
//
//	DeadLetter → Retry → Shape → RateLimit → Concurrency → PerAttempt → Timeout → target
//
// Users wrap their own targets the same way.
//
// # Retries
//
// A [RetryPolicy] is EventBridge's: at most MaximumRetryAttempts retries
// (0-185, default 185) and none once the event is MaximumEventAgeInSeconds
// old (60-86400, default 24 h), whichever comes first. The zero value is
// the default; [NoRetries] asks for none. Waits follow [Backoff]:
// exponential with full jitter, from an injectable random source.
//
// A target says how its failure should be handled with [Permanent] (no
// retry), [RetryAfter] (wait at least this long; negative: stop) or an
// [Error] with an [ErrorCode]; [Classify] reads any error back, and
// classifies timeouts and network errors itself. [RetryPolicy.Decide] is
// the pure decision Retry makes after each failure.
//
// Cancelling the context stops a retry at once. The delivery then ends
// with a [*DeliveryError] of code [CodeInterrupted], which DeadLetter
// still dead-letters (its write ignores the cancellation, within
// [DeadLetterTimeout]): shutting down loses nothing.
//
// # Dead-lettering
//
// When the retries are exhausted or the failure is permanent, [DeadLetter]
// sends a [DeadLetterRecord] to the dead-letter target: the original event
// with EventBridge's attributes (rule, target, error code and message,
// retry attempts, exhausted retry condition). A failed write is retried a
// few times ([DeadLetterAttempts], short jittered waits, unless the error
// is permanent), within [DeadLetterTimeout]. If that target still fails,
// the caller gets a [*DeadLetterError] holding the record, observers a
// DeadLetterFailed notice, and [NewLogObserver] logs the record's JSON at
// level Error, so that the event can be replayed from the log.
//
// # Input shaping
//
// [Shaping] holds a target's Input (constant JSON), InputPath (a JSONPath)
// or [InputTransformer] (variables and a template, with EventBridge's
// quoting rules and reserved variables). [NewShaper] validates it once,
// with errors that name the field, the variable and the offset; [Shape]
// applies it; [RenderInput] renders against an event without delivering,
// like EventBridge's sandbox.
//
// # Observability
//
// An [Observer] receives a [Notice] for every attempt, failure, retry,
// delivery, dead-letter and throttling. [Counters] counts them into
// [Metrics] named after EventBridge's CloudWatch metrics (Invocations,
// FailedInvocations, RetryInvocationAttempts, InvocationsSentToDlq,
// InvocationsFailedToBeSentToDlq, ThrottledRules, ...); [NewLogObserver]
// logs them with log/slog; [MultiObserver] fans out. There is no global
// state: every counter belongs to the Observer you pass.
//
// # Concurrency
//
// Every Target, Middleware result, Observer and [Shaper] in this package
// is safe for concurrent use. No middleware starts a goroutine: Retry waits
// on the caller's goroutine, in a select on the context. An engine runs
// each delivery on a goroutine of its own and bounds the work with
// one [Concurrency] value shared by all targets and placed inside Retry
// (Config.PerAttempt in Wrap), so that only attempts hold a slot and
// deliveries waiting to retry cannot starve fresh ones; or it schedules
// retries itself with [RetryPolicy.Decide].
//
// # Differences from EventBridge
//
// Where EventBridge is silent or unsafe, this package chooses:
//
//   - A transformer path that selects nothing renders null in a value
//     position and nothing inside a string; an InputPath that selects
//     nothing fails the delivery permanently (INVALID_PARAMETER).
//   - A placeholder that names no variable is a configuration error.
//   - Values keep their JSON escapes, so every rendered input is valid
//     JSON (EventBridge inserts strings unescaped); a template that is not
//     JSON renders as a JSON string.
//   - Interrupted deliveries are dead-lettered with our own code
//     INTERRUPTED.
//   - The backoff formula (full jitter, 1 s base, 15 min cap) is ours:
//     EventBridge does not publish its own.
package targets
