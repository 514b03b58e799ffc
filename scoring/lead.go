package scoring

import "time"

// Source tells a model how to read the host's own lead type L, so a CRM
// scores its own struct without copying it into a map. Field returns
// the value of a named field (ok false when absent); Activities returns
// the lead's activities in any order. Both must be pure and safe for
// concurrent use if the model is used concurrently. A nil Field (or
// Activities) is allowed only if no rule reads fields (or activities).
type Source[L any] struct {
	Field      func(lead L, name string) (value string, ok bool)
	Activities func(lead L) []Activity
}

// Activity is one thing a lead did: a page view, an email open, a form,
// a demo request, an unsubscribe. Attrs are its attributes (a URL, a
// form name); activity rules filter on them with Where conditions.
type Activity struct {
	Type  string
	At    time.Time
	Attrs []Attr
}

// Attr is one attribute of an activity.
type Attr struct {
	Key, Value string
}

// Attr returns the value of the first attribute with the key.
func (a Activity) Attr(key string) (string, bool) {
	for _, x := range a.Attrs {
		if x.Key == key {
			return x.Value, true
		}
	}
	return "", false
}

// Lead is a ready-made lead type for hosts that keep leads as plain
// data (and for tests and examples); use it with [LeadSource].
type Lead struct {
	Fields     map[string]string `json:"fields,omitempty"`
	Activities []Activity        `json:"activities,omitempty"`
}

// LeadSource returns the [Source] for [Lead].
func LeadSource() Source[Lead] {
	return Source[Lead]{
		Field: func(l Lead, name string) (string, bool) {
			v, ok := l.Fields[name]
			return v, ok
		},
		Activities: func(l Lead) []Activity { return l.Activities },
	}
}
