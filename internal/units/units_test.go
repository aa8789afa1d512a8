package units

import "testing"

func TestBytes(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0 B", 999: "999 B", 1000: "1.0 kB", 12450: "12.5 kB", 99949: "99.9 kB", 99950: "100.0 kB",
		100499: "100 kB", 391312: "391 kB", 999499: "999 kB", 999500: "1000 kB", 1e6: "1.0 MB", 12_400_000: "12.4 MB",
		2_374_807_261: "2.4 GB", 5 << 40: "5498 GB",
	} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
	if got := SignedBytes(-1500); got != "-1.5 kB" {
		t.Errorf("SignedBytes(-1500) = %q", got)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 120000: "120,000", -1234567: "-1,234,567"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	if got := SignedCount(300); got != "+300" {
		t.Errorf("SignedCount(300) = %q", got)
	}
}

func TestLimit(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0 B", 512: "512 B", 20_000: "20 kB", 20_500: "20.5 kB", 50e6: "50 MB", 8 << 20: "8.4 MB", 2e9: "2 GB", 1 << 30: "1.1 GB",
	} {
		if got := Limit(n); got != want {
			t.Errorf("Limit(%d) = %q, want %q", n, got, want)
		}
	}
}
