// The threaded pipeline with test stages: order, offsets, backpressure,
// over-long and partial lines, across worker counts.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "pipeline/reader.h"
#include "tests/pipeline/test_stages.h"

namespace exfilter {
namespace {

using testing::EchoStage;
using testing::StringSink;

// Real corpus lines, numbered so each line is distinct, about 200 KB.
std::string CorpusText(int copies) {
  std::ifstream f(std::string(EXFILTER_CORPUS_DIR) + "/m365_files.ndjson");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string base = ss.str();
  std::string out;
  int n = 0;
  for (int c = 0; c < copies; ++c) {
    size_t pos = 0;
    while (pos < base.size()) {
      size_t nl = base.find('\n', pos);
      if (nl == std::string::npos) nl = base.size();
      if (nl > pos) out += "{\"n\":" + std::to_string(n++) + "," + base.substr(pos + 1, nl - pos - 1) + "\n";
      pos = nl + 1;
    }
  }
  return out;
}

struct RunResult {
  std::string output;
  EchoStage stage;
  uint64_t queue_full = 0;
  uint64_t too_long = 0;
};

void RunPipeline(const std::string& text, int workers, size_t chunk, size_t max_read, size_t max_line, bool flush_partial,
         RunResult* r, size_t pool_chunks = 6) {
  PipelineOptions opt;
  opt.workers = workers;
  opt.chunk_bytes = chunk;
  opt.budget_bytes = chunk * pool_chunks;
  PipelineCounters counters;
  StringSink sink;
  Pipeline p(opt, testing::MakeLineWorker, testing::MakeLinesPayload, &r->stage, &sink, &counters);
  p.Start();
  ChunkReader reader(&p, ReaderOptions{max_line}, &counters);
  auto in = StringInput(text, max_read);
  SourceCursor cur;
  cur.id = 3;
  ASSERT_TRUE(reader.Pump(*in, cur).ok());
  if (flush_partial) reader.FlushPartial(cur);
  reader.Release();
  ASSERT_TRUE(p.CloseInput().ok());
  r->output = sink.text();
  r->queue_full = counters.queue_full.load();
  r->too_long = counters.errors[static_cast<int>(ErrorKind::kTooLong)].load();
  EXPECT_EQ(counters.bytes_read.load(), text.size());
}

TEST(Pipeline, OutputFollowsInputOrderForEveryWorkerCount) {
  const std::string text = CorpusText(40);
  ASSERT_GT(text.size(), 500000u);
  for (int workers : {1, 2, 4}) {
    RunResult r;
    RunPipeline(text, workers, 4096, 1000, 1 << 20, true, &r);
    EXPECT_EQ(r.output, text) << workers << " workers";
    EXPECT_TRUE(r.stage.order_ok);
    EXPECT_TRUE(r.stage.offsets_ok);
    EXPECT_TRUE(r.stage.finished);
    EXPECT_EQ(r.stage.offsets[3], text.size());
    EXPECT_EQ(r.stage.ended, 1);
    EXPECT_FALSE(r.stage.overlapped.load());
  }
}

// A pool of 64 chunks: a reader that runs out waits for 8 to come back
// (not one), and nothing is lost or reordered by the batched refill.
TEST(Pipeline, ReaderRefillsInBatchesAndLosesNothing) {
  const std::string text = CorpusText(40);
  for (int workers : {1, 2}) {
    RunResult r;
    RunPipeline(text, workers, 1024, 1 << 20, 1 << 20, true, &r, 64);
    EXPECT_EQ(r.output, text) << workers;
    EXPECT_TRUE(r.stage.order_ok) << workers;
    EXPECT_GT(r.queue_full, 0u) << workers << ": the reader never ran out, the refill was not exercised";
  }
}

// Thousands of 1 KiB chunks over 8 workers on a smaller machine: the ordered
// role changes hands all the time, and is never held by two at once, never
// skips a chunk, and never leaves a completed chunk behind.
TEST(Pipeline, OrderedRoleHandoverKeepsOrderAcrossManyWorkers) {
  const std::string text = CorpusText(40);
  RunResult r;
  RunPipeline(text, 8, 1024, 700, 1 << 20, true, &r);
  EXPECT_EQ(r.output, text);
  EXPECT_TRUE(r.stage.order_ok);
  EXPECT_FALSE(r.stage.overlapped.load());
  EXPECT_GT(r.stage.next_seq, 500u);
  EXPECT_TRUE(r.stage.finished);
}

TEST(Pipeline, PartialLastLineIsKeptUntilFlushed) {
  const std::string text = "{\"a\":1}\n{\"b\":2}\n{\"c\":";
  RunResult kept;
  RunPipeline(text, 2, 4096, 5, 1 << 20, false, &kept);
  EXPECT_EQ(kept.output, "{\"a\":1}\n{\"b\":2}\n");
  EXPECT_EQ(kept.stage.offsets[3], 16u);  // checkpoint would resume at the partial line
  RunResult flushed;
  RunPipeline(text, 2, 4096, 5, 1 << 20, true, &flushed);
  EXPECT_EQ(flushed.output, text + "\n");
  EXPECT_EQ(flushed.stage.offsets[3], text.size());
}

TEST(Pipeline, OverLongLineIsSkippedAndTheRestDelivered) {
  const std::string longline = "{\"x\":\"" + std::string(50000, 'y') + "\"}\n";
  const std::string text = "{\"a\":1}\n" + longline + "{\"b\":2}\n" + longline + longline + "{\"c\":3}\n";
  for (size_t max_read : {size_t{7}, size_t{4096}, size_t{1} << 20}) {
    RunResult r;
    RunPipeline(text, 2, 4096, max_read, 1000, true, &r);
    EXPECT_EQ(r.output, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    EXPECT_EQ(r.too_long, 3u);
    EXPECT_EQ(r.stage.offsets[3], text.size());
    // Each over-long line is recorded once: its first max_line_bytes (< 4096) and its length.
    const std::string record = longline.substr(0, 1000) + " [exfilter: too_long, 50008 bytes]\n";
    EXPECT_EQ(r.stage.too_long, record + record + record) << max_read;
    const std::vector<LongLine> lines = {{8, 50008, ""}, {50025, 50008, ""}, {100034, 50008, ""}};
    EXPECT_EQ(r.stage.too_long_lines, lines) << max_read;
  }
}

TEST(Pipeline, OverLongLinesAtTheEndAndBackToBackAreRecorded) {
  const std::string longline = "{\"x\":\"" + std::string(9000, 'y') + "\"}";  // 9008 bytes
  const std::string text = longline + "\n" + longline + "\n" + longline;      // the last without newline
  for (size_t max_read : {size_t{7}, size_t{4096}, size_t{1} << 20}) {
    RunResult r;
    RunPipeline(text, 2, 4096, max_read, 5000, true, &r);
    EXPECT_EQ(r.output, "");
    EXPECT_EQ(r.too_long, 3u);
    const std::string record = longline.substr(0, 4096) + " [exfilter: too_long, 9008 bytes]\n";
    EXPECT_EQ(r.stage.too_long, record + record + record) << max_read;
    const std::vector<LongLine> lines = {{0, 9008, ""}, {9009, 9008, ""}, {18018, 9008, ""}};
    EXPECT_EQ(r.stage.too_long_lines, lines) << max_read;
  }
}

TEST(Pipeline, LongLinesUnderTheLimitSpanChunks) {
  const std::string mid = "{\"x\":\"" + std::string(20000, 'z') + "\"}\n";
  const std::string text = "{\"a\":1}\n" + mid + "{\"b\":2}\n";
  RunResult r;
  RunPipeline(text, 3, 1024, 300, 1 << 20, true, &r);
  EXPECT_EQ(r.output, text);
  EXPECT_EQ(r.too_long, 0u);
}

TEST(Pipeline, BlockedSinkPausesTheReaderAndLosesNothing) {
  const std::string text = CorpusText(20);
  PipelineOptions opt;
  opt.workers = 2;
  opt.chunk_bytes = 4096;
  opt.budget_bytes = 4096 * 4;
  PipelineCounters counters;
  StringSink sink;
  EchoStage stage;
  sink.Block(true);
  Pipeline p(opt, testing::MakeLineWorker, testing::MakeLinesPayload, &stage, &sink, &counters);
  p.Start();
  std::thread unblocker([&] {
    while (counters.queue_full.load() == 0) std::this_thread::yield();
    sink.Block(false);
  });
  ChunkReader reader(&p, ReaderOptions{}, &counters);
  auto in = StringInput(text, 4096);
  SourceCursor cur;
  ASSERT_TRUE(reader.Pump(*in, cur).ok());
  reader.FlushPartial(cur);
  reader.Release();
  ASSERT_TRUE(p.CloseInput().ok());
  unblocker.join();
  EXPECT_GT(counters.queue_full.load(), 0u);
  EXPECT_EQ(sink.text(), text);
  // Memory stayed within the pool: no chunk was allocated beyond it.
  EXPECT_EQ(p.chunk_count(), 4u);
}

TEST(Pipeline, DropModeKeepsReadingWhileBlockedAndCountsEveryDroppedLine) {
  const std::string text = CorpusText(20);
  const size_t n_lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  PipelineOptions opt;
  opt.workers = 2;
  opt.chunk_bytes = 4096;
  opt.budget_bytes = 4096 * 4;
  opt.drop_when_blocked = true;
  opt.drop_grace = absl::Milliseconds(50);
  PipelineCounters counters;
  StringSink sink;
  EchoStage stage;
  sink.Block(true);
  Pipeline p(opt, testing::MakeLineWorker, testing::MakeLinesPayload, &stage, &sink, &counters);
  p.Start();
  ChunkReader reader(&p, ReaderOptions{}, &counters);
  auto in = StringInput(text, 4096);
  SourceCursor cur;
  // The whole input goes through while the sink stays blocked.
  ASSERT_TRUE(reader.Pump(*in, cur).ok());
  reader.FlushPartial(cur);
  reader.Release();
  sink.Block(false);
  ASSERT_TRUE(p.CloseInput().ok());
  const std::string got = sink.text();
  const size_t delivered = static_cast<size_t>(std::count(got.begin(), got.end(), '\n'));
  EXPECT_GT(counters.dropped.load(), 0u);
  EXPECT_EQ(delivered + counters.dropped.load(), n_lines);
  // What was delivered is whole input lines in input order ({"n":K,...} increasing).
  size_t pos = 0;
  int last_n = -1;
  while (pos < got.size()) {
    const size_t nl = got.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    const std::string line = got.substr(pos, nl - pos + 1);
    EXPECT_NE(text.find(line), std::string::npos);
    const int n = std::stoi(line.substr(5));
    EXPECT_GT(n, last_n);
    last_n = n;
    pos = nl + 1;
  }
}

// An ordered stage that checkpoints through SyncOutput mid-stream.
class SyncingStage : public EchoStage {
 public:
  explicit SyncingStage(Pipeline** p, StringSink* sink) : p_(p), sink_(sink) {}
  void Consume(Chunk& chunk, std::string* out) override {
    EchoStage::Consume(chunk, out);
    if (chunk.seq % 5 == 4) {
      ASSERT_TRUE((*p_)->SyncOutput(out).ok());
      // Everything consumed so far has reached the sink.
      synced_ok = synced_ok && sink_->text().size() == bytes_before(chunk);
    }
  }
  size_t bytes_before(const Chunk& c) { return c.end_offset; }
  Pipeline** p_;
  StringSink* sink_;
  bool synced_ok = true;
};

TEST(Pipeline, SyncOutputFlushesEverythingConsumed) {
  const std::string text = CorpusText(5);
  PipelineOptions opt;
  opt.workers = 2;
  opt.chunk_bytes = 2048;
  PipelineCounters counters;
  StringSink sink;
  Pipeline* pp = nullptr;
  SyncingStage stage(&pp, &sink);
  Pipeline p(opt, testing::MakeLineWorker, testing::MakeLinesPayload, &stage, &sink, &counters);
  pp = &p;
  p.Start();
  ChunkReader reader(&p, ReaderOptions{}, &counters);
  auto in = StringInput(text, 2048);
  SourceCursor cur;
  ASSERT_TRUE(reader.Pump(*in, cur).ok());
  reader.Release();
  ASSERT_TRUE(p.CloseInput().ok());
  EXPECT_TRUE(stage.synced_ok);
  EXPECT_EQ(sink.text(), text);
}

// The zero-copy path over a mapped file gives the bytes of the copying path:
// lines longer than a chunk, an over-long line, no final newline, a resume
// offset in the middle.
TEST(Pipeline, MappedFileGivesTheSameLinesAsReading) {
  const std::string mid = "{\"x\":\"" + std::string(9000, 'z') + "\"}\n";
  const std::string huge = "{\"h\":\"" + std::string(30000, 'h') + "\"}\n";
  const std::string text = CorpusText(3) + mid + huge + CorpusText(1) + "{\"last\":1}";
  for (uint64_t start : {uint64_t{0}, uint64_t{text.find('\n', 5000) + 1}}) {
    PipelineOptions opt;
    opt.workers = 2;
    opt.chunk_bytes = 4096;
    opt.budget_bytes = 4096 * 8;
    PipelineCounters counters;
    StringSink sink;
    EchoStage stage;
    Pipeline p(opt, testing::MakeLineWorker, testing::MakeLinesPayload, &stage, &sink, &counters);
    p.Start();
    ChunkReader reader(&p, ReaderOptions{20000}, &counters);
    SourceCursor cur;
    cur.offset = start;
    reader.PumpMapped(text.data(), text.size(), cur, /*file_mapping=*/false);
    reader.Release();
    ASSERT_TRUE(p.CloseInput().ok());
    std::string want = text.substr(start) + "\n";
    want.erase(want.find(huge), huge.size());
    EXPECT_EQ(sink.text(), want);
    EXPECT_EQ(counters.errors[static_cast<int>(ErrorKind::kTooLong)].load(), 1u);
    EXPECT_EQ(cur.offset, text.size());
    EXPECT_EQ(stage.offsets[0], text.size());
  }
}

}  // namespace
}  // namespace exfilter
