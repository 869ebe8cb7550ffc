package main

import (
	"context"
	"sync"
	"time"

	"milo.example/conformance/gen/drivers"
)

// stream watches a server stream that must stay open while the plugin
// lives (Nomad re-dispenses without backoff when it ends).
type stream struct {
	cancel context.CancelFunc
	mu     sync.Mutex
	ended  error
}

func (s *stream) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended == nil {
		s.ended = err
	}
}

func (s *stream) stillOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended != nil {
		return errorf("the stream ended: %v", s.ended)
	}
	return nil
}

// openFingerprint opens the Fingerprint stream and checks its first message:
// sent promptly, HEALTHY here, attributes under "driver.milo.".
func openFingerprint(r *report, l *launch) *stream {
	c, cancel := context.WithCancel(context.Background())
	s := &stream{cancel: cancel}
	client, err := l.driver.Fingerprint(c, &drivers.FingerprintRequest{})
	r.must("Fingerprint stream opens", err)
	first := make(chan *drivers.FingerprintResponse, 1)
	go func() {
		for {
			msg, err := client.Recv()
			if err != nil {
				s.end(err)
				close(first)
				return
			}
			select {
			case first <- msg:
			default:
			}
		}
	}()
	select {
	case msg, ok := <-first:
		if !ok {
			r.must("Fingerprint sends a first message", s.stillOpen())
		}
		r.check("Fingerprint health is HEALTHY", checkHealth(msg))
		r.check(`Fingerprint attributes are namespaced "driver.milo."`,
			hasPrefixAll(sortedKeys(msg.GetAttributes()), "driver.milo."))
	case <-time.After(10 * time.Second):
		r.check("Fingerprint sends a first message", errorf("none within 10 s"))
	}
	return s
}

func checkHealth(msg *drivers.FingerprintResponse) error {
	if msg.GetHealth() != drivers.FingerprintResponse_HEALTHY {
		return errorf("health %s: %q", msg.GetHealth(), msg.GetHealthDescription())
	}
	return nil
}

// openTaskEvents opens the TaskEvents stream; events must name an alloc
// and a task, or Nomad drops them.
func openTaskEvents(r *report, l *launch) *stream {
	c, cancel := context.WithCancel(context.Background())
	s := &stream{cancel: cancel}
	client, err := l.driver.TaskEvents(c, &drivers.TaskEventsRequest{})
	r.must("TaskEvents stream opens", err)
	go func() {
		for {
			event, err := client.Recv()
			if err != nil {
				s.end(err)
				return
			}
			if event.GetAllocId() == "" || event.GetTaskName() == "" {
				s.end(errorf("event without alloc_id or task_name: %v", event))
			}
		}
	}()
	return s
}
