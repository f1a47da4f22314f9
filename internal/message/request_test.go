package message

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

// TestValidateRequests: the rules of the kinds whose fields are more than
// text, from request bodies as clients send them (a missing number is not
// a zero).
func TestValidateRequests(t *testing.T) {
	contact := func(name, phone string) string {
		return fmt.Sprintf(`{"fullName":%q,"phoneNumber":%q}`, name, phone)
	}
	contacts := func(n int) string {
		list := make([]string, n)
		for i := range list {
			list[i] = contact(fmt.Sprint("Person ", i), fmt.Sprint(549111234560+i))
		}
		return `{"contacts":[` + strings.Join(list, ",") + `]}`
	}
	options := func(n int) string {
		list := make([]string, n)
		for i := range list {
			list[i] = fmt.Sprintf("%q", fmt.Sprint("option ", i))
		}
		return "[" + strings.Join(list, ",") + "]"
	}
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name string
		typ  Type
		req  string
		want []string // "path: message"
	}{
		{"location", Location, `{"latitude":-34.6037,"longitude":-58.3816}`, nil},
		{"location at the edges", Location, `{"latitude":-90,"longitude":180,"name":"Pole","address":"South"}`, nil},
		{"location at zero", Location, `{"latitude":0,"longitude":0}`, nil},
		{"location without coordinates", Location, `{"name":"x"}`,
			[]string{"latitude: Required", "longitude: Required"}},
		{"location with null coordinates", Location, `{"latitude":null,"longitude":null}`,
			[]string{"latitude: Required", "longitude: Required"}},
		{"latitude out of range", Location, `{"latitude":90.0001,"longitude":-180.5}`,
			[]string{"latitude: Must be between -90 and 90", "longitude: Must be between -180 and 180"}},
		{"location name and address too long", Location,
			fmt.Sprintf(`{"latitude":1,"longitude":2,"name":%q,"address":%q}`, long(1001), long(1001)),
			[]string{"name: Must be at most 1000 characters", "address: Must be at most 1000 characters"}},

		{"one contact", Contact, contacts(1), nil},
		{"ten contacts", Contact, contacts(10), nil},
		{"no contacts field", Contact, `{}`, []string{"contacts: Required"}},
		{"zero contacts", Contact, contacts(0), []string{"contacts: Must have 1 to 10 contacts"}},
		{"eleven contacts", Contact, contacts(11), []string{"contacts: Must have 1 to 10 contacts"}},
		{"contact without name or number", Contact, `{"contacts":[{"organization":"Acme"}]}`,
			[]string{"contacts.0.fullName: Required", "contacts.0.phoneNumber: Required"}},
		{"contact with a blank name", Contact, `{"contacts":[` + contact(" \t", "5491112345678") + `]}`,
			[]string{"contacts.0.fullName: Required"}},
		{"bad contact number", Contact, `{"contacts":[` + contact("A", "5491112345678") + "," + contact("B", "+5491112345678") + `]}`,
			[]string{"contacts.1.phoneNumber: Must be an international number: 8 to 15 digits, no '+'"}},
		{"contact fields too long", Contact,
			fmt.Sprintf(`{"contacts":[{"fullName":%q,"phoneNumber":"5491112345678","organization":%q}]}`, long(257), long(257)),
			[]string{"contacts.0.fullName: Must be at most 256 characters", "contacts.0.organization: Must be at most 256 characters"}},
		{"bad email", Contact, `{"contacts":[{"fullName":"A","phoneNumber":"5491112345678","email":"not an email"}]}`,
			[]string{"contacts.0.email: Must be an email address (name@example.com)"}},
		{"email too long", Contact,
			fmt.Sprintf(`{"contacts":[{"fullName":"A","phoneNumber":"5491112345678","email":"%s@example.com"}]}`, strings.Repeat("a", 250)),
			[]string{"contacts.0.email: Must be at most 254 characters"}},

		{"poll", Poll, `{"question":"Lunch?","options":["Pizza","Sushi"]}`, nil},
		{"poll with every option selectable", Poll, `{"question":"Lunch?","options":` + options(12) + `,"selectableCount":12}`, nil},
		{"poll without a question", Poll, `{"options":["a","b"]}`, []string{"question: Required"}},
		{"poll with a blank question", Poll, `{"question":"  ","options":["a","b"]}`, []string{"question: Required"}},
		{"poll question too long", Poll, fmt.Sprintf(`{"question":%q,"options":["a","b"]}`, long(256)),
			[]string{"question: Must be at most 255 characters"}},
		{"poll without options", Poll, `{"question":"q"}`, []string{"options: Required"}},
		{"poll with one option", Poll, `{"question":"q","options":["a"]}`, []string{"options: Must have 2 to 12 options"}},
		{"poll with 13 options", Poll, `{"question":"q","options":` + options(13) + `}`, []string{"options: Must have 2 to 12 options"}},
		{"poll with an empty option", Poll, `{"question":"q","options":["a",""," "]}`,
			[]string{"options.1: Must not be empty", "options.2: Must not be empty"}},
		{"poll option too long", Poll, fmt.Sprintf(`{"question":"q","options":["a",%q]}`, long(101)),
			[]string{"options.1: Must be at most 100 characters"}},
		{"poll with duplicate options", Poll, `{"question":"q","options":["Yes","No","Yes"," No "]}`,
			[]string{"options.2: Duplicate of option 0", "options.3: Duplicate of option 1"}},
		{"selectableCount zero", Poll, `{"question":"q","options":["a","b"],"selectableCount":0}`,
			[]string{"selectableCount: Must be between 1 and 2 (the number of options)"}},
		{"selectableCount zero with too few options", Poll, `{"question":"q","options":["a"],"selectableCount":0}`,
			[]string{"options: Must have 2 to 12 options", "selectableCount: Must be at least 1"}},
		{"selectableCount above the options", Poll, `{"question":"q","options":["a","b","c"],"selectableCount":4}`,
			[]string{"selectableCount: Must be between 1 and 3 (the number of options)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := KindOf(tt.typ)
			require.True(t, ok)
			f := k.NewFields()
			require.NoError(t, json.Unmarshal([]byte(tt.req), f))
			var issues fault.Issues
			k.Validate(f.Content(), &issues)
			require.Equal(t, tt.want, issueList(issues))
		})
	}
}

// TestDefaults: what a request leaves out, the content fills in.
func TestDefaults(t *testing.T) {
	k, _ := KindOf(Poll)
	f := k.NewFields()
	require.NoError(t, json.Unmarshal([]byte(`{"question":"q","options":["a","b"]}`), f))
	require.Equal(t, 1, f.Content().Poll.SelectableCount, "one answer unless the request says otherwise")

	k, _ = KindOf(Location)
	f = k.NewFields()
	require.NoError(t, json.Unmarshal([]byte(`{"latitude":1.5,"longitude":-2.25}`), f))
	require.Equal(t, &LocationContent{Latitude: 1.5, Longitude: -2.25}, f.Content().Location)
}
