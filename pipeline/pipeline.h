// Pipeline runs the threaded middle of the agent: a pool of chunks (the
// memory budget), N workers, an ordered stage that consumes chunk results
// strictly in input order (so output and detector state do not depend on the
// number of workers), and one writer thread that owns the sink.
//
//   reader (caller) -> parse_q -> N workers: parse -> ring (by seq)
//        ^                                              |
//        |                         ordered stage <------+  (one worker at a time)
//        +---------- free chunks ----------+     |
//                                  out blocks -> writer -> sink
//
// The ordered stage has no thread of its own: the worker that completes the
// next chunk in input order takes the ordered role (a flag, never waited
// for) and consumes every ready chunk in sequence, so `--threads 1` is one
// working thread and N workers keep N cores busy. Workers that find no input
// for the tick interval take the role to call Tick.
//
// Backpressure: when the sink blocks, out blocks run out, the ordered stage
// waits, chunks stop coming back and the reader waits (counted in
// queue_full). Nothing is dropped, unless drop_when_blocked is set: then
// output the writer has no free block for is dropped and counted (`dropped`,
// in lines), so the ordered stage and the reader keep going, and SyncOutput
// gives up after sync_timeout instead of waiting for a stuck sink.
// Thread safety: AcquireChunk/SubmitChunk/CloseInput from one reader thread;
// SyncOutput only from the ordered stage (inside its callbacks). The ordered
// stage runs on one worker at a time; each handover is a release/acquire
// pair, so the stage needs no locking of its own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pipeline/chunk.h"
#include "pipeline/counters.h"
#include "pipeline/queues.h"
#include "pipeline/sink.h"

namespace exfilter {

// Parse side: one per worker thread, called for every chunk it takes.
class ChunkWorker {
 public:
  virtual ~ChunkWorker() = default;
  // Fills chunk.payload from chunk.view() (complete lines; may be empty).
  virtual void Parse(Chunk& chunk) = 0;
};

class Pipeline;

// Ordered side: called by one worker at a time, in input order.
class OrderedStage {
 public:
  virtual ~OrderedStage() = default;
  // Every chunk, in seq order. Appends output lines to *out.
  virtual void Consume(Chunk& chunk, std::string* out) = 0;
  // When no chunk arrived for the tick interval, and after each batch.
  virtual void Tick(std::string* /*out*/) {}
  // After the last chunk, before the writer stops.
  virtual void Finish(std::string* /*out*/) {}
};

struct PipelineOptions {
  int workers = 2;
  size_t chunk_bytes = 256 << 10;
  size_t budget_bytes = 32 << 20;  // chunk pool; output blocks add budget/8
  absl::Duration tick = absl::Milliseconds(200);
  bool drop_when_blocked = false;  // --on-blocked drop
  absl::Duration sync_timeout = absl::Milliseconds(500);  // drop mode: SyncOutput waits at most this
  // Drop mode: a sink that frees no output block for this long is blocked;
  // shorter stalls wait (a slow moment is not a blocked sink), and once it is
  // blocked output is dropped at once until a block frees up.
  absl::Duration drop_grace = absl::Seconds(1);
};

class Pipeline {
 public:
  using WorkerFactory = std::function<std::unique_ptr<ChunkWorker>()>;
  using PayloadFactory = std::function<std::unique_ptr<ChunkPayload>()>;

  Pipeline(const PipelineOptions& options, WorkerFactory make_worker, PayloadFactory make_payload,
           OrderedStage* stage, Sink* sink, PipelineCounters* counters);
  ~Pipeline();

  void Start();
  // Reader side. AcquireChunk blocks while the budget is used up.
  Chunk* AcquireChunk();
  void SubmitChunk(Chunk* chunk);  // assigns seq
  // No more chunks; waits until everything is written and flushed. Returns
  // the sink's error if it gave up (then output after it was not accepted).
  absl::Status CloseInput();

  // Ordered stage only: sends `*out` and waits until the writer has written
  // and flushed everything sent so far. Clears *out. In drop mode, returns
  // ResourceExhaustedError (nothing wrong with the sink; try later) when the
  // writer is blocked: no free output block, or no flush within sync_timeout;
  // `wait` (shutdown) waits as in block mode.
  absl::Status SyncOutput(std::string* out, bool wait = false);

  // Any thread (approximate): share of the chunk pool / output blocks in use.
  double BudgetFill() const;
  double OutputFill() const;

  size_t chunk_count() const { return chunks_.size(); }
  size_t ChunkBytes() const { return options_.chunk_bytes; }

 private:
  struct OutBlock {
    std::string data;
    uint64_t barrier = 0;  // nonzero: flush and acknowledge this id
    bool stop = false;
  };
  void WorkerLoop();
  // Takes the ordered role if it is free and there is work (or `idle`: a
  // tick may be due); gives it back and looks again, so a chunk completed
  // while the role was held is never left waiting.
  void RunOrdered(bool idle);
  void DrainReady(bool idle);   // ordered role: consume ready chunks in order
  void FinishOrdered();         // last worker, after the last chunk
  bool NextReady() const;
  void ReturnChunk(Chunk* c);  // ordered role: back to the pool
  void WaitForFreeChunks();    // reader: until refill_at_ chunks are free
  void WriterLoop();
  void SendOutput(std::string* out, moodycamel::ProducerToken& token);
  OutBlock* TakeOutBlock();
  OutBlock* TakeOutBlockOrGiveUp();  // drop mode: nullptr when the sink is blocked

  PipelineOptions options_;
  WorkerFactory make_worker_;
  OrderedStage* stage_;
  Sink* sink_;
  PipelineCounters* counters_;

  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::vector<std::unique_ptr<OutBlock>> out_blocks_;
  PipeQueue<Chunk*> free_q_, parse_q_;
  PipeQueue<OutBlock*> out_q_, out_free_q_;
  std::unique_ptr<moodycamel::ProducerToken> reader_token_;
  std::unique_ptr<moodycamel::ConsumerToken> free_token_;
  // Chunks in free_q_. A reader that ran out sleeps until refill_at_ chunks
  // are free, not one: each wakeup of a sleeping thread is a futex call and
  // an interrupt to its CPU (tens of microseconds in a VM), and one per
  // chunk cost ~10% of a one-thread run.
  std::atomic<int> free_chunks_{0};
  std::atomic<bool> reader_waiting_{false};
  int refill_at_ = 1;
  uint64_t next_seq_ = 0;

  // Parsed chunks by seq % size (the pool bounds how far ahead they get).
  std::unique_ptr<std::atomic<Chunk*>[]> ring_;
  std::atomic<uint64_t> next_ordered_{0};    // written only in the ordered role
  std::atomic<bool> ordered_busy_{false};    // the ordered role is taken
  std::atomic<int> workers_done_{0};
  // Ordered role state: touched only by the worker holding the role.
  std::unique_ptr<moodycamel::ProducerToken> ordered_out_token_, ordered_free_token_;
  std::string ordered_out_;
  absl::Time last_tick_;

  std::vector<std::thread> workers_;
  std::thread writer_;

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  uint64_t barrier_sent_ = 0;   // ordered thread only
  bool output_blocked_ = false;  // ordered thread only: drop mode gave up waiting
  uint64_t barrier_acked_ = 0;  // guarded by sync_mu_
  absl::Status sink_status_;    // guarded by sync_mu_
  bool started_ = false;
};

}  // namespace exfilter
