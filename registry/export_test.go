package registry

// RestartLogAt makes the checkpointer start the log again from frames
// pages on; call it before any write.
func (s *Store) RestartLogAt(frames int) { s.ckpt.restartAt = frames }
