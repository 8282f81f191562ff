// Queue types of the pipeline: bounded moodycamel queues that carry pointers
// to pooled chunks and output blocks, never single events.
// Thread safety: the queues are MPMC; every producer enqueues through its own
// ProducerToken, made once in the thread that uses it.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>

#include <cstddef>

namespace exfilter {

struct ChunkQueueTraits : moodycamel::ConcurrentQueueDefaultTraits {
  static constexpr size_t BLOCK_SIZE = 32;
  static constexpr size_t MAX_SUBQUEUE_SIZE = 4096;                 // per producer
  static constexpr size_t INITIAL_IMPLICIT_PRODUCER_HASH_SIZE = 0;  // tokens only
};

template <typename T>
using PipeQueue = moodycamel::BlockingConcurrentQueue<T, ChunkQueueTraits>;

// Sized for `capacity` items from each of `producers` explicit producers, so
// a pool-bounded number of items always fits (three-argument constructor: a
// queue sized with one argument can starve a try_enqueue producer).
template <typename T>
PipeQueue<T> MakePipeQueue(size_t capacity, size_t producers) {
  return PipeQueue<T>(capacity, producers, /*implicit producers=*/0);
}

}  // namespace exfilter
