#include "pipeline/pipeline.h"

#include <sys/mman.h>

#include <algorithm>
#include <utility>

namespace exfilter {
namespace {
constexpr size_t kSendBytes = 1 << 20;  // ordered stage hands output over at least this often

// A consumed range of a mapped file leaves the resident set, so peak RSS
// stays within the budget whatever the file size. The page cache may map a
// whole large folio (up to a few MB) when one of its pages is touched, which
// maps already consumed pages again: so each drop covers everything from 4 MB
// before the last step to the chunk's end. Chunks of a file are consumed in
// order, so all of that is consumed; a worker touching an edge page only
// faults it back in. Drops happen once per 8 MB step, not per chunk: each
// madvise(MADV_DONTNEED) interrupts every other CPU running the process to
// flush its TLB, which per 256 KiB chunk cost ~8% of the CPU of a 2-thread run.
void DropMappedPages(const char* map_base, const char* p, size_t len) {
  const uintptr_t page = 4096, step = 8 << 20, lookback = step + (4 << 20);
  const uintptr_t base = reinterpret_cast<uintptr_t>(map_base);
  const uintptr_t begin = reinterpret_cast<uintptr_t>(p) - base;
  if (begin / step == (begin + len) / step) return;  // no step boundary in this chunk
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + len) & ~(page - 1);
  const uintptr_t from = end - base > lookback ? (end - lookback) & ~(page - 1) : base;
  if (end > from) madvise(reinterpret_cast<void*>(from), end - from, MADV_DONTNEED);
}
}  // namespace

Pipeline::Pipeline(const PipelineOptions& options, WorkerFactory make_worker, PayloadFactory make_payload,
                   OrderedStage* stage, Sink* sink, PipelineCounters* counters)
    : options_(options),
      make_worker_(std::move(make_worker)),
      stage_(stage),
      sink_(sink),
      counters_(counters),
      free_q_(MakePipeQueue<Chunk*>(std::max<size_t>(4, options.budget_bytes / options.chunk_bytes), 2)),
      parse_q_(MakePipeQueue<Chunk*>(free_q_.size_approx() + 64, 1)),
      out_q_(MakePipeQueue<OutBlock*>(64, 1)),
      out_free_q_(MakePipeQueue<OutBlock*>(64, 1)) {
  options_.workers = std::max(1, options_.workers);
  const size_t n_chunks = std::max<size_t>(4, options_.budget_bytes / options_.chunk_bytes);
  {
    moodycamel::ProducerToken fill(free_q_);
    for (size_t i = 0; i < n_chunks; ++i) {
      auto c = std::make_unique<Chunk>();
      c->Reserve(options_.chunk_bytes + options_.chunk_bytes / 4, 0);
      c->payload = make_payload();
      free_q_.enqueue(fill, c.get());
      chunks_.push_back(std::move(c));
    }
  }
  {
    moodycamel::ProducerToken fill(out_free_q_);
    const size_t n_out = std::max<size_t>(4, 2 * static_cast<size_t>(options_.workers));
    for (size_t i = 0; i < n_out; ++i) {
      out_blocks_.push_back(std::make_unique<OutBlock>());
      out_free_q_.enqueue(fill, out_blocks_.back().get());
    }
  }
  free_chunks_.store(static_cast<int>(chunks_.size()), std::memory_order_relaxed);
  refill_at_ = static_cast<int>(std::clamp<size_t>(chunks_.size() / 8, 1, 16));
  ring_ = std::make_unique<std::atomic<Chunk*>[]>(chunks_.size());
  for (size_t i = 0; i < chunks_.size(); ++i) ring_[i].store(nullptr, std::memory_order_relaxed);
  reader_token_ = std::make_unique<moodycamel::ProducerToken>(parse_q_);
  free_token_ = std::make_unique<moodycamel::ConsumerToken>(free_q_);
  ordered_out_token_ = std::make_unique<moodycamel::ProducerToken>(out_q_);
  ordered_free_token_ = std::make_unique<moodycamel::ProducerToken>(free_q_);
}

Pipeline::~Pipeline() {
  if (started_ && writer_.joinable()) (void)CloseInput();
}

void Pipeline::Start() {
  started_ = true;
  last_tick_ = absl::Now();
  writer_ = std::thread([this] { WriterLoop(); });
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

Chunk* Pipeline::AcquireChunk() {
  Chunk* c = nullptr;
  if (!free_q_.try_dequeue(*free_token_, c)) {
    counters_->Add(counters_->queue_full, 1);  // backpressure: the reader waits
    WaitForFreeChunks();
    while (!free_q_.try_dequeue(*free_token_, c)) {
    }  // counted only after it was enqueued: it is there
  }
  free_chunks_.fetch_sub(1, std::memory_order_relaxed);
  c->len = 0;
  c->seq = 0;
  c->source = 0;
  c->begin_offset = c->end_offset = 0;
  c->too_long.clear();
  c->too_long_lines.clear();
  c->end_of_source = false;
  c->marker_only = false;
  c->ext = nullptr;
  c->drop_pages = false;
  return c;
}

// Seq_cst on both sides (as for the ordered role): the reader announces it
// waits, then reads the count; ReturnChunk adds to the count, then reads the
// announcement. One of them sees the other, so the reader never sleeps past
// a refill. std::atomic::wait also returns at once if the count moved.
void Pipeline::WaitForFreeChunks() {
  reader_waiting_.store(true, std::memory_order_seq_cst);
  for (int n = free_chunks_.load(std::memory_order_seq_cst); n < refill_at_;
       n = free_chunks_.load(std::memory_order_seq_cst)) {
    free_chunks_.wait(n, std::memory_order_seq_cst);
  }
  reader_waiting_.store(false, std::memory_order_relaxed);
}

void Pipeline::ReturnChunk(Chunk* c) {
  free_q_.enqueue(*ordered_free_token_, c);
  const int n = free_chunks_.fetch_add(1, std::memory_order_seq_cst) + 1;
  if (n >= refill_at_ && reader_waiting_.load(std::memory_order_seq_cst)) free_chunks_.notify_one();
}

void Pipeline::SubmitChunk(Chunk* chunk) {
  chunk->seq = next_seq_++;
  // Zero the padding after the data (simdjson 3.0.1 reads past the end).
  if (chunk->ext == nullptr) std::memset(chunk->data() + chunk->len, 0, simdjson::SIMDJSON_PADDING);
  counters_->Add(counters_->chunks, 1);
  parse_q_.enqueue(*reader_token_, chunk);
}

absl::Status Pipeline::CloseInput() {
  if (!writer_.joinable()) return sink_status_;
  for (int i = 0; i < options_.workers; ++i) parse_q_.enqueue(*reader_token_, nullptr);
  for (auto& t : workers_) t.join();
  writer_.join();
  std::lock_guard<std::mutex> lock(sync_mu_);
  return sink_status_;
}

void Pipeline::WorkerLoop() {
  std::unique_ptr<ChunkWorker> worker = make_worker_();
  moodycamel::ConsumerToken in(parse_q_);
  const int64_t tick_us = absl::ToInt64Microseconds(options_.tick);
  while (true) {
    Chunk* c = nullptr;
    const bool got = parse_q_.wait_dequeue_timed(in, c, tick_us);
    if (got && c == nullptr) break;  // CloseInput: no more chunks for this worker
    if (got) {
      worker->Parse(*c);
      ring_[c->seq % chunks_.size()].store(c, std::memory_order_seq_cst);
    }
    RunOrdered(/*idle=*/!got);
  }
  // The last worker out has seen every chunk published and nobody holds the role.
  if (workers_done_.fetch_add(1) + 1 == options_.workers) FinishOrdered();
}

bool Pipeline::NextReady() const {
  const uint64_t next = next_ordered_.load(std::memory_order_seq_cst);
  return ring_[next % chunks_.size()].load(std::memory_order_seq_cst) != nullptr;
}

// Seq_cst on both sides: a worker publishes its chunk, then tries the flag;
// the holder clears the flag, then looks at the ring. One of the two always
// sees the other, so a ready chunk is never stranded.
void Pipeline::RunOrdered(bool idle) {
  while (idle || NextReady()) {
    if (ordered_busy_.exchange(true, std::memory_order_seq_cst)) return;  // the holder will look again
    DrainReady(idle);
    ordered_busy_.store(false, std::memory_order_seq_cst);
    idle = false;
  }
}

void Pipeline::DrainReady(bool idle) {
  const size_t ring_size = chunks_.size();
  uint64_t next = next_ordered_.load(std::memory_order_relaxed);
  while (Chunk* c = ring_[next % ring_size].load(std::memory_order_acquire)) {
    ring_[next % ring_size].store(nullptr, std::memory_order_relaxed);
    stage_->Consume(*c, &ordered_out_);
    if (c->drop_pages) DropMappedPages(c->ext - c->begin_offset, c->ext, c->len);
    ReturnChunk(c);
    next_ordered_.store(++next, std::memory_order_seq_cst);
    if (ordered_out_.size() >= kSendBytes) SendOutput(&ordered_out_, *ordered_out_token_);
  }
  const absl::Time now = absl::Now();
  if (idle || now - last_tick_ >= options_.tick) {
    stage_->Tick(&ordered_out_);
    last_tick_ = now;
  }
  SendOutput(&ordered_out_, *ordered_out_token_);
}

void Pipeline::FinishOrdered() {
  while (ordered_busy_.exchange(true, std::memory_order_seq_cst)) {
  }  // free already (see WorkerLoop); the exchange is the acquire
  DrainReady(/*idle=*/false);
  stage_->Finish(&ordered_out_);
  SendOutput(&ordered_out_, *ordered_out_token_);
  OutBlock* b = TakeOutBlock();
  b->data.clear();
  b->barrier = 0;
  b->stop = true;
  out_q_.enqueue(*ordered_out_token_, b);
  ordered_busy_.store(false, std::memory_order_seq_cst);
}

double Pipeline::BudgetFill() const {
  const double free = static_cast<double>(free_q_.size_approx());
  return std::clamp(1.0 - free / static_cast<double>(chunks_.size()), 0.0, 1.0);
}

double Pipeline::OutputFill() const {
  const double free = static_cast<double>(out_free_q_.size_approx());
  return std::clamp(1.0 - free / static_cast<double>(out_blocks_.size()), 0.0, 1.0);
}

Pipeline::OutBlock* Pipeline::TakeOutBlockOrGiveUp() {
  OutBlock* b = nullptr;
  if (out_free_q_.try_dequeue(b)) {
    output_blocked_ = false;
    return b;
  }
  if (output_blocked_) return nullptr;  // known blocked: drop at once
  counters_->Add(counters_->output_waits, 1);
  if (out_free_q_.wait_dequeue_timed(b, absl::ToInt64Microseconds(options_.drop_grace))) return b;
  output_blocked_ = true;
  return nullptr;
}

Pipeline::OutBlock* Pipeline::TakeOutBlock() {
  OutBlock* b = nullptr;
  if (!out_free_q_.try_dequeue(b)) {
    counters_->Add(counters_->output_waits, 1);  // the sink is slower than the input
    out_free_q_.wait_dequeue(b);
  }
  return b;
}

void Pipeline::SendOutput(std::string* out, moodycamel::ProducerToken& token) {
  if (out->empty()) return;
  OutBlock* b = options_.drop_when_blocked ? TakeOutBlockOrGiveUp() : TakeOutBlock();
  if (b == nullptr) {  // drop mode, the sink is behind: count the lines and let them go
    counters_->Add(counters_->dropped, static_cast<uint64_t>(std::count(out->begin(), out->end(), '\n')));
    out->clear();
    return;
  }
  b->data.clear();
  b->data.swap(*out);  // *out inherits the block's old capacity
  b->barrier = 0;
  b->stop = false;
  out_q_.enqueue(token, b);
}

absl::Status Pipeline::SyncOutput(std::string* out, bool wait) {
  SendOutput(out, *ordered_out_token_);
  const bool may_give_up = options_.drop_when_blocked && !wait;
  OutBlock* b = may_give_up ? TakeOutBlockOrGiveUp() : TakeOutBlock();
  if (b == nullptr) return absl::ResourceExhaustedError("output blocked");
  b->data.clear();
  b->barrier = ++barrier_sent_;
  b->stop = false;
  out_q_.enqueue(*ordered_out_token_, b);
  std::unique_lock<std::mutex> lock(sync_mu_);
  auto flushed = [&] { return barrier_acked_ >= barrier_sent_; };
  if (!may_give_up) {
    sync_cv_.wait(lock, flushed);
  } else if (!sync_cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.sync_timeout), flushed)) {
    return sink_status_.ok() ? absl::ResourceExhaustedError("output blocked") : sink_status_;
  }
  return sink_status_;
}

void Pipeline::WriterLoop() {
  moodycamel::ConsumerToken in(out_q_);
  moodycamel::ProducerToken back(out_free_q_);
  absl::Status status;  // first failure; later blocks are discarded (and reported)
  while (true) {
    OutBlock* b = nullptr;
    out_q_.wait_dequeue(in, b);
    if (status.ok() && !b->data.empty()) {
      status = sink_->Write(b->data);
      if (status.ok()) counters_->Add(counters_->output_bytes, b->data.size());
    }
    const bool stop = b->stop;
    const uint64_t barrier = b->barrier;
    if (stop || barrier != 0) {
      if (status.ok()) status = sink_->Flush();
      std::lock_guard<std::mutex> lock(sync_mu_);
      sink_status_ = status;
      if (barrier != 0) barrier_acked_ = barrier;
      sync_cv_.notify_all();
    }
    out_free_q_.enqueue(back, b);
    if (stop) return;
  }
}

}  // namespace exfilter
