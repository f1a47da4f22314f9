package lane

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Lane
		wantErr bool
	}{
		{"", Normal, false},
		{"urgent", Urgent, false},
		{"normal", Normal, false},
		{"bulk", Bulk, false},
		{"Urgent", "", true},
		{"BULK", "", true},
		{" normal", "", true},
		{"normal ", "", true},
		{"fast", "", true},
		{"\x00", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				require.Equal(t, ErrUnknown, err)
				require.Equal(t, "Must be one of urgent, normal, bulk", err.Error())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.True(t, got.Valid())
		})
	}
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		lane Lane
		want Policy
	}{
		{Urgent, Policy{MinDelay: time.Second, MaxDelay: 2 * time.Second, PerHour: 0, PerDay: 0}},
		{Normal, Policy{MinDelay: 3 * time.Second, MaxDelay: 8 * time.Second, PerHour: 80, PerDay: 500}},
		{Bulk, Policy{MinDelay: 8 * time.Second, MaxDelay: 15 * time.Second, PerHour: 30, PerDay: 200}},
		{"bogus", Policy{MinDelay: 8 * time.Second, MaxDelay: 15 * time.Second, PerHour: 30, PerDay: 200}},
		{"", Policy{MinDelay: 8 * time.Second, MaxDelay: 15 * time.Second, PerHour: 30, PerDay: 200}},
	}
	for _, tt := range tests {
		t.Run(string(tt.lane), func(t *testing.T) {
			p := tt.lane.Policy()
			require.Equal(t, tt.want, p)
			require.LessOrEqual(t, p.MinDelay, p.MaxDelay)
		})
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		lane Lane
		want bool
	}{
		{Urgent, true},
		{Normal, true},
		{Bulk, true},
		{"", false},
		{"Normal", false},
		{"other", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.lane), func(t *testing.T) {
			require.Equal(t, tt.want, tt.lane.Valid())
		})
	}
}

func TestPriority(t *testing.T) {
	tests := []struct {
		lane Lane
		want int
	}{
		{Urgent, 0},
		{Normal, 1},
		{Bulk, 2},
		{"", 3},
		{"other", 3},
	}
	for _, tt := range tests {
		t.Run(string(tt.lane), func(t *testing.T) {
			require.Equal(t, tt.want, tt.lane.Priority())
		})
	}
}

func TestAll(t *testing.T) {
	all := All()
	require.Equal(t, []Lane{Urgent, Normal, Bulk}, all)
	for i, l := range all {
		require.Equal(t, i, l.Priority(), "All must be in priority order")
		require.True(t, l.Valid())
	}
	all[0] = "mutated"
	require.Equal(t, Urgent, All()[0], "All must return a fresh slice")
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "urgent", "normal", "bulk", "URGENT", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			if err != ErrUnknown {
				t.Fatalf("Parse(%q) returned %v, want ErrUnknown", s, err)
			}
			if s == "" || Lane(s).Valid() {
				t.Fatalf("Parse(%q) rejected a valid lane", s)
			}
			return
		}
		if !l.Valid() {
			t.Fatalf("Parse(%q) = %q, not a valid lane", s, l)
		}
		if s != "" && string(l) != s {
			t.Fatalf("Parse(%q) = %q, want the input back", s, l)
		}
	})
}
