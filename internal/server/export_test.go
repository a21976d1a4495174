package server

// SetFailureKeys bounds the entries each map of failed authentications
// holds, for a test that fills them.
func SetFailureKeys(s *Server, n int) { s.guard.maxKeys = n }

// FailureKeys is how many entries the maps of failed authentications hold.
func FailureKeys(s *Server) int {
	s.guard.mu.Lock()
	defer s.guard.mu.Unlock()
	return len(s.guard.addrs) + len(s.guard.tokens) + len(s.guard.pending)
}

// ImagesAdmitted is how many image requests hold a place.
func ImagesAdmitted(s *Server) int {
	s.images.mu.Lock()
	defer s.images.mu.Unlock()
	return s.images.admitted
}
