package pattern

import (
	"github.com/rulebridge/rulebridge/internal/jsonscan"
)

// envelopeFields are the fields AWS's TestEventPattern requires in an event.
var envelopeFields = []string{"id", "account", "source", "time", "region", "detail-type"}

// TestEventPattern answers as AWS EventBridge's TestEventPattern API does:
// whether event matches pattern.
//
// Like the API, it requires the event to be a JSON object with the fields
// id, account, source, time, region and detail-type (their values are not
// checked), and returns an [*EventError] ("Parameter Event is not valid.")
// otherwise; this check comes first. An invalid pattern gets a [*Error], as
// AWS's InvalidEventPatternException. The pattern may be up to 4,096
// characters long, the API's own limit; other limits are AWS's defaults.
//
// It is safe for concurrent use. Programs that match many events against one
// pattern should [Compile] it once and call [Pattern.Match].
func TestEventPattern(pattern, event []byte) (bool, error) {
	if err := checkEnvelope(event); err != nil {
		return false, err
	}
	p, err := Compile(pattern, WithMaxPatternSize(testEventPatternMaxPatternLen))
	if err != nil {
		return false, err
	}
	return p.Match(event)
}

var emptyEngine = emptySnapshot()

// validateEvent reports an *EventError unless event is a JSON object.
func validateEvent(event []byte) error {
	sc := getScanner()
	defer putScanner(sc)
	sc.reset(event, emptyEngine, false, false)
	return sc.document()
}

// checkEnvelope reports an *EventError unless event is a JSON object with
// every envelope field at its top level.
func checkEnvelope(event []byte) error {
	if err := validateEvent(event); err != nil {
		return err
	}
	have := topLevelKeys(event)
	for _, name := range envelopeFields {
		if !have[name] {
			return &EventError{Reason: "missing required field " + quoteJSON(name), Offset: -1}
		}
	}
	return nil
}

// topLevelKeys returns the keys at the top level of the (valid) JSON object
// event.
func topLevelKeys(event []byte) map[string]bool {
	keys := map[string]bool{}
	lx := jsonscan.NewLexer(event)
	if t, err := lx.Next(); err != nil || t.Kind != jsonscan.BeginObject {
		return keys
	}
	for {
		t, err := lx.Next()
		if err != nil || t.Kind != jsonscan.Name {
			return keys
		}
		k, err := lx.Text()
		if err != nil {
			return keys
		}
		keys[k] = true
		v, err := lx.Next()
		if err != nil {
			return keys
		}
		if err := lx.Skip(v); err != nil {
			return keys
		}
	}
}
