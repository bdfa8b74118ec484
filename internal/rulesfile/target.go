package rulesfile

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rulebridge/rulebridge/targets"
)

var targetProps = []string{"Id", "Input", "InputPath", "InputTransformer", "RetryPolicy",
	"DeadLetterConfig", "Http", "File", "Stdout"}

var kinds = []string{"Http", "File", "Stdout"}

const arnHint = "rulebridge targets are given by kind (Http, File or Stdout), not by ARN"

var targetUnsupported = map[string]string{
	"Arn":                         arnHint,
	"RoleArn":                     "rulebridge does not assume IAM roles",
	"HttpParameters":              "give headers in Http.Headers",
	"AppSyncParameters":           arnHint,
	"BatchParameters":             arnHint,
	"EcsParameters":               arnHint,
	"KinesisParameters":           arnHint,
	"RedshiftDataParameters":      arnHint,
	"RunCommandParameters":        arnHint,
	"SageMakerPipelineParameters": arnHint,
	"SqsParameters":               arnHint,
}

var deadLetterUnsupported = map[string]string{"Arn": arnHint}

func (d *decoder) target(n *yaml.Node, sc scope, ids map[string]*yaml.Node) Target {
	var t Target
	sc.target = d.scalarIn(n, "Id") // first, so that every message can carry it
	o, ok := d.requiredMapping(n, sc, targetProps, targetUnsupported)
	if !ok {
		return t
	}

	t.ID = d.identifier(o, sc, "Id", ids, "another target of this rule has this Id (line %d)")

	t.Shaping = d.shaping(o, sc)
	t.RetryPolicy = d.retryPolicy(o, sc)
	if v := o.get("DeadLetterConfig"); v != nil {
		if dlo, ok := d.mapping(v, sc, "DeadLetterConfig", kinds, deadLetterUnsupported); ok {
			if s, ok := d.sink(dlo, sc, "DeadLetterConfig."); ok {
				t.DeadLetter = &s
			}
		}
	}
	if s, ok := d.sink(o, sc, ""); ok {
		t.Sink = s
	}
	return t
}

// shaping reads Input, InputPath and InputTransformer and checks them
// with targets.NewShaper.
func (d *decoder) shaping(o object, sc scope) targets.Shaping {
	var (
		s     targets.Shaping
		given []string
		ok    = true
	)
	for _, k := range o.present([]string{"Input", "InputPath", "InputTransformer"}) {
		if o.get(k) != nil {
			given = append(given, k)
		}
	}
	if len(given) > 1 {
		d.errorf(o.at(given[1]), sc, given[1], "a target may have only one of Input, InputPath and InputTransformer, but %s are given", strings.Join(given, " and "))
		return s
	}
	var tmplNode, mapNode *yaml.Node
	if v := o.get("Input"); v != nil && !d.bad[v] {
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" {
			s.Input = v.Value // JSON text, checked by NewShaper
		} else {
			w := &jsonWriter{max: 1 << 20}
			if rerr := w.render(v); rerr != nil {
				if !d.bad[rerr.node] {
					d.errorf(rerr.node, sc, "Input", "%s", rerr.reason)
				}
				return s
			}
			s.Input = string(w.buf)
		}
	}
	if v := o.get("InputPath"); v != nil {
		s.InputPath, ok = d.str(v, sc, "InputPath")
	}
	if v := o.get("InputTransformer"); v != nil {
		to, good := d.mapping(v, sc, "InputTransformer", []string{"InputPathsMap", "InputTemplate"}, nil)
		if !good {
			return s
		}
		it := &targets.InputTransformer{}
		if m := to.get("InputPathsMap"); m != nil {
			mapNode = m
			entries, good := d.freeMapping(m, sc, "InputTransformer.InputPathsMap")
			ok = ok && good
			it.InputPathsMap = map[string]string{}
			for _, kv := range entries {
				if p, good := d.str(kv[1], sc, "InputTransformer.InputPathsMap."+kv[0].Value); good {
					it.InputPathsMap[kv[0].Value] = p
				} else {
					ok = false
				}
			}
		}
		if tv := to.get("InputTemplate"); tv == nil {
			d.errorf(to.at("InputTemplate"), sc, "InputTransformer.InputTemplate", "is required")
			ok = false
		} else {
			tmplNode = tv
			var good bool
			if it.InputTemplate, good = d.str(tv, sc, "InputTransformer.InputTemplate"); !good {
				ok = false
			}
		}
		s.InputTransformer = it
	}
	if !ok {
		return targets.Shaping{}
	}
	if _, err := targets.NewShaper(s); err != nil {
		for _, ce := range configErrors(err) {
			at, field := o.node, ce.Field
			switch {
			case ce.Field == "Input" || ce.Field == "InputPath":
				at = o.get(ce.Field)
			case ce.Field == "InputTransformer.InputTemplate":
				at = tmplNode
			case strings.HasPrefix(ce.Field, "InputTransformer.InputPathsMap["):
				at = mapNode
				if name, err := unquoteIndex(ce.Field, "InputTransformer.InputPathsMap"); err == nil {
					field = "InputTransformer.InputPathsMap." + name
					if k := keyNode(mapNode, name); k != nil {
						at = k
					}
				}
			}
			d.wrap(at, sc, field, ce.Reason, ce)
		}
		return targets.Shaping{}
	}
	return s
}

// freeMapping checks that n is a mapping of string keys to scalars and
// returns its entries in file order, reporting repeated keys.
func (d *decoder) freeMapping(n *yaml.Node, sc scope, field string) ([][2]*yaml.Node, bool) {
	if d.bad[n] {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, sc, field, "want a mapping, got %s", describe(n))
		return nil, false
	}
	var out [][2]*yaml.Node
	seen := map[string]*yaml.Node{}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if d.bad[k] {
			ok = false
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.errorf(k, sc, field, "keys must be strings, got %s", describe(k))
			ok = false
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, sc, field+"."+k.Value, "repeated (first at line %d)", first.Line)
			ok = false
			continue
		}
		seen[k.Value] = k
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out, ok
}

func keyNode(m *yaml.Node, name string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i]
		}
	}
	return nil
}

// unquoteIndex returns the name in a field such as Prefix["name"].
func unquoteIndex(field, prefix string) (string, error) {
	rest := strings.TrimPrefix(field, prefix)
	if !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
		return "", errors.New("not an index")
	}
	var name string
	_, err := fmt.Sscanf(rest[1:len(rest)-1], "%q", &name)
	return name, err
}

// configErrors flattens err (from targets) into its *targets.ConfigError
// values; any other error becomes one with an empty Field.
func configErrors(err error) []*targets.ConfigError {
	var out []*targets.ConfigError
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *targets.ConfigError
		if errors.As(err, &ce) {
			out = append(out, ce)
			return
		}
		out = append(out, &targets.ConfigError{Reason: err.Error()})
	}
	walk(err)
	return out
}

// retryPolicy reads RetryPolicy with AWS's meaning (MaximumRetryAttempts
// 0 is no retries; an absent field is the default) and checks it with
// targets.RetryPolicy.Validate.
func (d *decoder) retryPolicy(o object, sc scope) targets.RetryPolicy {
	var p targets.RetryPolicy
	v := o.get("RetryPolicy")
	if v == nil {
		return p
	}
	ro, ok := d.mapping(v, sc, "RetryPolicy", []string{"MaximumRetryAttempts", "MaximumEventAgeInSeconds"}, nil)
	if !ok {
		return p
	}
	const (
		attempts = "RetryPolicy.MaximumRetryAttempts"
		age      = "RetryPolicy.MaximumEventAgeInSeconds"
	)
	rangeAttempts := fmt.Sprintf("out of range 0-%d (0 means no retries; leave it out for the default, %d)",
		targets.DefaultMaximumRetryAttempts, targets.DefaultMaximumRetryAttempts)
	rangeAge := fmt.Sprintf("out of range %d-%d (leave it out for the default, %d)",
		targets.MinimumEventAgeInSeconds, targets.DefaultMaximumEventAgeInSeconds, targets.DefaultMaximumEventAgeInSeconds)
	valid := true
	if a := ro.get("MaximumRetryAttempts"); a != nil {
		n, ok := d.integer(a, sc, attempts)
		switch {
		case !ok:
			valid = false
		case n == 0:
			p.MaximumRetryAttempts = targets.NoRetries
		case n < 0 || n > math.MaxInt32:
			d.errorf(a, sc, attempts, "%d is %s", n, rangeAttempts)
			valid = false
		default:
			p.MaximumRetryAttempts = int(n)
		}
	}
	if a := ro.get("MaximumEventAgeInSeconds"); a != nil {
		n, ok := d.integer(a, sc, age)
		switch {
		case !ok:
			valid = false
		case n <= 0 || n > math.MaxInt32:
			// 0 would mean "the default" to targets; AWS refuses it.
			d.errorf(a, sc, age, "%d is %s", n, rangeAge)
			valid = false
		default:
			p.MaximumEventAgeInSeconds = int(n)
		}
	}
	if err := p.Validate(); err != nil {
		for _, ce := range configErrors(err) {
			switch ce.Field {
			case attempts:
				d.wrap(ro.at("MaximumRetryAttempts"), sc, attempts, fmt.Sprintf("%d is %s", p.MaximumRetryAttempts, rangeAttempts), ce)
			case age:
				d.wrap(ro.at("MaximumEventAgeInSeconds"), sc, age, fmt.Sprintf("%d is %s", p.MaximumEventAgeInSeconds, rangeAge), ce)
			default:
				d.wrap(v, sc, "RetryPolicy", ce.Reason, ce)
			}
		}
		valid = false
	}
	if !valid {
		return targets.RetryPolicy{}
	}
	return p
}

// sink reads the one kind of a target or dead-letter config. prefix is ""
// or "DeadLetterConfig.".
func (d *decoder) sink(o object, sc scope, prefix string) (Sink, bool) {
	s := Sink{field: prefix}
	given := o.present(kinds)
	switch len(given) {
	case 0:
		d.errorf(o.node, sc, strings.TrimSuffix(prefix, "."), "needs one of Http, File or Stdout")
		return s, false
	case 1:
	default:
		d.errorf(o.keys[given[1]], sc, prefix+given[1], "%s are given: give exactly one kind", strings.Join(given, " and "))
		return s, false
	}
	v := o.vals[given[0]]
	field := prefix + given[0]
	switch given[0] {
	case "Stdout":
		if _, ok := d.mapping(v, sc, field, nil, nil); !ok {
			return s, false
		}
		s.Stdout = &StdoutSink{}
	case "File":
		fo, ok := d.mapping(v, sc, field, []string{"Path"}, nil)
		if !ok {
			return s, false
		}
		p := fo.get("Path")
		if p == nil {
			d.errorf(fo.at("Path"), sc, field+".Path", "is required")
			return s, false
		}
		path, ok := d.str(p, sc, field+".Path")
		if !ok {
			return s, false
		}
		if path == "" {
			d.errorf(p, sc, field+".Path", "is empty")
			return s, false
		}
		if strings.Contains(path, "${") {
			d.errorf(p, sc, field+".Path", "${NAME} is not expanded in File paths (only in Http properties): write the path out")
			return s, false
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(d.dir, path)
		}
		s.File = &FileSink{Path: path, pos: pos(p)}
	case "Http":
		h, ok := d.http(v, sc, field)
		if !ok {
			return s, false
		}
		s.HTTP = h
	}
	return s, true
}

var httpProps = []string{"Endpoint", "Method", "Headers", "TimeoutSeconds", "RateLimitPerSecond", "Auth"}

// expanded reads a string that may hold ${NAME} references. Its value is
// never echoed: it may be a credential.
func (d *decoder) expanded(v *yaml.Node, sc scope, field string) (string, bool) {
	s, ok := d.str(v, sc, field)
	if !ok {
		return "", false
	}
	out, probs := expandEnv(s)
	for _, p := range probs {
		d.errorf(v, sc, field, "%s", p)
	}
	return out, len(probs) == 0
}

func (d *decoder) http(v *yaml.Node, sc scope, field string) (*HTTPSink, bool) {
	o, ok := d.mapping(v, sc, field, httpProps, nil)
	if !ok {
		return nil, false
	}
	h := &HTTPSink{}
	valid := true
	endpointKnown := false
	if e := o.get("Endpoint"); e == nil {
		d.errorf(o.at("Endpoint"), sc, field+".Endpoint", "is required")
		valid = false
	} else if h.Endpoint, ok = d.expanded(e, sc, field+".Endpoint"); !ok {
		valid = false
	} else {
		endpointKnown = true
	}
	h.Method = http.MethodPost
	if m := o.get("Method"); m != nil {
		if h.Method, ok = d.str(m, sc, field+".Method"); !ok {
			valid = false
		}
		h.Method = strings.ToUpper(h.Method)
	}
	if hv := o.get("Headers"); hv != nil {
		entries, ok := d.freeMapping(hv, sc, field+".Headers")
		valid = valid && ok
		h.Header = http.Header{}
		for _, kv := range entries {
			name := kv[0].Value
			if first := headerKey(hv, http.CanonicalHeaderKey(name)); first != kv[0] {
				d.errorf(kv[0], sc, field+".Headers."+name, "repeated: header names are case-insensitive (first at line %d)", first.Line)
				valid = false
				continue
			}
			val, ok := d.expanded(kv[1], sc, field+".Headers."+name)
			if !ok {
				valid = false
				continue
			}
			h.Header.Set(name, val)
		}
	}
	if t := o.get("TimeoutSeconds"); t != nil {
		if secs, ok := d.number(t, sc, field+".TimeoutSeconds"); !ok {
			valid = false
		} else if secs <= 0 || secs > 86400 {
			d.errorf(t, sc, field+".TimeoutSeconds", "%v is out of range: want more than 0, at most 86400", secs)
			valid = false
		} else {
			h.Timeout = time.Duration(secs * float64(time.Second))
		}
	}
	if r := o.get("RateLimitPerSecond"); r != nil {
		if rate, ok := d.number(r, sc, field+".RateLimitPerSecond"); !ok {
			valid = false
		} else if rate <= 0 {
			d.errorf(r, sc, field+".RateLimitPerSecond", "%v is not positive", rate)
			valid = false
		} else {
			h.RateLimit = rate
		}
	}
	if a := o.get("Auth"); a != nil {
		auth, ok := d.auth(a, sc, field+".Auth")
		valid = valid && ok
		h.Auth = auth
	}
	// Let targets judge the settings: build the target (which sends and
	// opens nothing) and drop it.
	url := h.Endpoint
	if !endpointKnown {
		url = "http://endpoint.invalid/" // already reported
	}
	ht, err := targets.NewHTTP(targets.HTTPConfig{URL: url, Method: h.Method, Header: h.Header, Timeout: h.Timeout, RateLimit: h.RateLimit})
	if err != nil {
		for _, ce := range configErrors(err) {
			at, f := o.node, field
			switch {
			case ce.Field == "HTTPConfig.URL":
				at, f = o.get("Endpoint"), field+".Endpoint"
			case ce.Field == "HTTPConfig.Method":
				at, f = o.get("Method"), field+".Method"
			case strings.HasPrefix(ce.Field, "HTTPConfig.Header["):
				at, f = o.get("Headers"), field+".Headers"
				if name, err := unquoteIndex(ce.Field, "HTTPConfig.Header"); err == nil {
					f += "." + name
					if k := headerKey(o.get("Headers"), name); k != nil {
						at = k
					}
				}
			case ce.Field == "HTTPConfig.Timeout":
				at, f = o.get("TimeoutSeconds"), field+".TimeoutSeconds"
			case ce.Field == "HTTPConfig.RateLimit":
				at, f = o.get("RateLimitPerSecond"), field+".RateLimitPerSecond"
			}
			if at == nil {
				at = o.node
			}
			d.wrap(at, sc, f, ce.Reason, ce)
		}
		valid = false
	} else {
		_ = ht.Close()
	}
	return h, valid
}

// headerKey finds the key node of header name (canonicalized) in m.
func headerKey(m *yaml.Node, name string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if http.CanonicalHeaderKey(m.Content[i].Value) == name || m.Content[i].Value == name {
			return m.Content[i]
		}
	}
	return nil
}

var authKinds = []string{"Basic", "ApiKey", "OAuth"}

func (d *decoder) auth(v *yaml.Node, sc scope, field string) (*Auth, bool) {
	o, ok := d.mapping(v, sc, field, authKinds, nil)
	if !ok {
		return nil, false
	}
	given := o.present(authKinds)
	switch len(given) {
	case 0:
		d.errorf(v, sc, field, "needs one of Basic, ApiKey or OAuth")
		return nil, false
	case 1:
	default:
		d.errorf(o.keys[given[1]], sc, field+"."+given[1], "%s are given: give exactly one", strings.Join(given, " and "))
		return nil, false
	}
	kind := given[0]
	f := field + "." + kind
	a := &Auth{}
	// required reads the required, ${NAME}-expanded string property key.
	var ao object
	valid := true
	failed := map[string]bool{} // properties already reported
	required := func(key string) string {
		n := ao.get(key)
		if n == nil {
			d.errorf(ao.at(key), sc, f+"."+key, "is required")
			valid, failed[key] = false, true
			return ""
		}
		s, ok := d.expanded(n, sc, f+"."+key)
		if !ok {
			valid, failed[key] = false, true
		} else if s == "" {
			d.errorf(n, sc, f+"."+key, "is empty")
			valid, failed[key] = false, true
		}
		return s
	}
	var err error
	switch kind {
	case "Basic":
		if ao, ok = d.mapping(o.vals[kind], sc, f, []string{"Username", "Password"}, nil); !ok {
			return nil, false
		}
		b := &BasicAuth{Username: required("Username"), Password: targets.Secret(required("Password"))}
		a.Basic = b
		_, err = targets.BasicAuth(b.Username, b.Password)
	case "ApiKey":
		if ao, ok = d.mapping(o.vals[kind], sc, f, []string{"Header", "Value"}, nil); !ok {
			return nil, false
		}
		k := &APIKeyAuth{}
		if h := ao.get("Header"); h == nil {
			d.errorf(ao.at("Header"), sc, f+".Header", "is required")
			valid, failed["Header"] = false, true
		} else if k.Header, ok = d.str(h, sc, f+".Header"); !ok {
			valid, failed["Header"] = false, true
		}
		k.Value = targets.Secret(required("Value"))
		a.APIKey = k
		_, err = targets.APIKeyAuth(k.Header, k.Value)
	case "OAuth":
		if ao, ok = d.mapping(o.vals[kind], sc, f, []string{"TokenUrl", "ClientId", "ClientSecret", "Scopes"}, nil); !ok {
			return nil, false
		}
		oa := &OAuthAuth{TokenURL: required("TokenUrl"), ClientID: required("ClientId"),
			ClientSecret: targets.Secret(required("ClientSecret"))}
		if s := ao.get("Scopes"); s != nil {
			if oa.Scopes, ok = d.strList(s, sc, f+".Scopes"); !ok {
				valid = false
			}
		}
		a.OAuth = oa
		_, err = targets.OAuthClientCredentials(targets.OAuthConfig{TokenURL: oa.TokenURL, ClientID: oa.ClientID,
			ClientSecret: oa.ClientSecret, Scopes: oa.Scopes})
	}
	if err != nil {
		fields := map[string]string{
			"BasicAuth.username":       "Username",
			"APIKeyAuth.header":        "Header",
			"APIKeyAuth.key":           "Value",
			"OAuthConfig.TokenURL":     "TokenUrl",
			"OAuthConfig.ClientID":     "ClientId",
			"OAuthConfig.ClientSecret": "ClientSecret",
		}
		for _, ce := range configErrors(err) {
			key, known := fields[ce.Field]
			if failed[key] {
				continue
			}
			at, ff := ao.node, f
			if known {
				at, ff = ao.at(key), f+"."+key
			}
			d.wrap(at, sc, ff, ce.Reason, ce)
		}
		valid = false
	}
	return a, valid
}
