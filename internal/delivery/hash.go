package delivery

import "crypto/sha256"

func registryHash(payload []byte) [32]byte { return sha256.Sum256(payload) }
