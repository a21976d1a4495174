// Package demo creates the demo country that `dcc serve` runs on embedded
// defaults: Spain's model of seed 000 in miniature — a CSCA; three issuing
// authorities (a region, the Ministry of Defence, the Ministry of Health,
// which issues vaccination and recovery certificates only), each with its own
// DSC, key file and UVCI prefix; a laboratory registered under the region; a
// registry operator; their credentials; a payload key; and the configuration
// file tying them together. Everything it makes is marked as demo material.
package demo
