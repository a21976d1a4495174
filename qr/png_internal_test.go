package qr

import "testing"

// Code lengths stay within the limit and make complete codes (the Kraft
// sum is 1), even for frequencies that grow like Fibonacci numbers, whose
// Huffman code is as deep as there are symbols.
func TestHuffmanLengths(t *testing.T) {
	fib := make([]int, 286)
	fib[0], fib[1] = 1, 1
	for i := 2; i < 40; i++ {
		fib[i] = fib[i-1] + fib[i-2]
	}
	one := make([]int, 19)
	one[7] = 5
	flat := make([]int, 286)
	for i := range flat {
		flat[i] = 1000
	}
	for name, tc := range map[string]struct {
		freq  []int
		limit int
	}{
		"fibonacci 15": {fib, 15},
		"fibonacci 7":  {fib[:19], 7},
		"one symbol":   {one, 7},
		"flat":         {flat, 15},
	} {
		lens := make([]uint8, len(tc.freq))
		huffmanLengths(tc.freq, tc.limit, lens)
		kraft, used := 0, 0
		for s, l := range lens {
			if int(l) > tc.limit {
				t.Errorf("%s: symbol %d has length %d, over %d", name, s, l, tc.limit)
			}
			if tc.freq[s] > 0 && l == 0 {
				t.Errorf("%s: symbol %d is used but has no code", name, s)
			}
			if l > 0 {
				kraft += 1 << (15 - l)
				used++
			}
		}
		if kraft != 1<<15 || used < 2 {
			t.Errorf("%s: Kraft sum %d/%d over %d codes, want a complete code", name, kraft, 1<<15, used)
		}
	}
}
