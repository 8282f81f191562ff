// Tailer over an in-memory file system: globs, rename rotation, copytruncate,
// truncate-and-rewrite, partial lines, resume by identity, inode reuse, an
// over-long line cut short by copytruncate, a checkpoint that keeps only the
// files still followed through months of rotations, a pattern that briefly
// fails to expand or a path that briefly cannot be examined.
#include "pipeline/tailer.h"

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tests/pipeline/test_stages.h"

namespace exfilter {
namespace {

struct FakeInode {
  uint64_t ino;
  std::string data;
};

class FakeFile : public OpenFile {
 public:
  explicit FakeFile(std::shared_ptr<FakeInode> inode) : inode_(std::move(inode)) {}
  absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    if (offset >= inode_->data.size()) return size_t{0};
    n = std::min<size_t>(n, inode_->data.size() - offset);
    std::memcpy(buf, inode_->data.data() + offset, n);
    return n;
  }
  absl::StatusOr<FileStat> Stat() override { return FileStat{1, inode_->ino, inode_->data.size()}; }

 private:
  std::shared_ptr<FakeInode> inode_;
};

class FakeFs : public FileSystem {
 public:
  void Append(const std::string& path, const std::string& text, uint64_t ino = 0) {
    auto& f = files_[path];
    if (f == nullptr) f = std::make_shared<FakeInode>(FakeInode{ino != 0 ? ino : next_ino_++, ""});
    f->data += text;
  }
  void Rename(const std::string& from, const std::string& to) {
    files_[to] = files_[from];
    files_.erase(from);
  }
  void Remove(const std::string& path) { files_.erase(path); }
  void Truncate(const std::string& path) { files_[path]->data.clear(); }
  std::string Contents(const std::string& path) { return files_[path]->data; }
  bool glob_fails = false;  // as glob() with GLOB_ERR on an unreadable directory
  bool stat_fails = false;  // stat() by path fails with EACCES (open files still read)
  std::set<std::string> unreadable;  // open() of these paths fails with EACCES

  absl::StatusOr<std::vector<std::string>> Glob(const std::string& pattern) override {
    if (glob_fails) return absl::PermissionDeniedError("cannot expand pattern '" + pattern + "'");
    std::vector<std::string> out;
    for (const auto& [path, inode] : files_) {
      if (fnmatch(pattern.c_str(), path.c_str(), 0) == 0) out.push_back(path);
    }
    return out;
  }
  absl::StatusOr<FileStat> Stat(const std::string& path) override {
    if (stat_fails) return absl::PermissionDeniedError("cannot stat " + path);
    auto it = files_.find(path);
    if (it == files_.end()) return absl::NotFoundError(path);
    return FileStat{1, it->second->ino, it->second->data.size()};
  }
  absl::StatusOr<std::unique_ptr<OpenFile>> Open(const std::string& path) override {
    if (unreadable.count(path) != 0) return absl::PermissionDeniedError("cannot open " + path);
    auto it = files_.find(path);
    if (it == files_.end()) return absl::NotFoundError(path);
    return std::unique_ptr<OpenFile>(std::make_unique<FakeFile>(it->second));
  }

 private:
  std::map<std::string, std::shared_ptr<FakeInode>> files_;
  uint64_t next_ino_ = 100;
};

std::string Lines(int from, int to) {  // "line-<from>\n" ... "line-<to-1>\n"
  std::string s;
  for (int i = from; i < to; ++i) s += "line-" + std::to_string(i) + "\n";
  return s;
}

// One tailer run: a pipeline with echo stages; Finish() returns the output.
class TailRun {
 public:
  TailRun(FakeFs* fs, std::vector<std::string> patterns, absl::flat_hash_map<std::string, uint64_t> resume = {},
      TailOptions options = {}, ReaderOptions reader_options = {})
      : pipeline_(Options(), testing::MakeLineWorker, testing::MakeLinesPayload, &stage_, &sink_, &counters_),
        reader_(&pipeline_, reader_options, &counters_),
        tailer_(fs, std::move(patterns), options, &sources_, std::move(resume)) {
    pipeline_.Start();
  }
  void Poll() { tailer_.Poll(reader_, nullptr); }
  std::vector<std::string> Warnings() { return tailer_.TakeWarnings(); }
  size_t FailingCount() const { return tailer_.FailingCount(); }
  size_t DroppedCount() const { return tailer_.DroppedCount(); }
  std::string Finish() {
    reader_.Release();
    EXPECT_TRUE(pipeline_.CloseInput().ok());
    return sink_.text();
  }
  // The over-long lines' dead-letter records and lines, after Finish().
  const std::string& TooLong() const { return stage_.too_long; }
  const std::vector<LongLine>& TooLongLines() const { return stage_.too_long_lines; }
  // The checkpoint's offsets section after Finish().
  std::string Offsets() {
    std::vector<uint64_t> v;
    for (auto [id, off] : stage_.offsets) {
      if (v.size() <= id) v.resize(id + 1);
      v[id] = off;
    }
    return sources_.Encode(v);
  }

 private:
  static PipelineOptions Options() {
    PipelineOptions o;
    o.workers = 2;
    o.chunk_bytes = 64;
    o.budget_bytes = 64 * 8;
    return o;
  }
  PipelineCounters counters_;
  testing::EchoStage stage_;
  testing::StringSink sink_;
  SourceTable sources_;
  Pipeline pipeline_;
  ChunkReader reader_;
  Tailer tailer_;
};

TEST(Tailer, NewFilesOfAGlobArePickedUp) {
  FakeFs fs;
  fs.Append("/log/a.json", Lines(0, 3));
  fs.Append("/log/other.txt", "not-matched\n");
  TailRun run(&fs, {"/log/*.json"});
  run.Poll();
  fs.Append("/log/b.json", Lines(3, 5));
  run.Poll();
  EXPECT_EQ(run.Finish(), Lines(0, 5));
}

TEST(Tailer, RenameRotationReadsTheOldFileToItsEndThenTheNewOne) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 10));
  TailRun run(&fs, {"/log/app.log"});
  run.Poll();
  fs.Rename("/log/app.log", "/log/app.log.1");
  fs.Append("/log/app.log.1", Lines(10, 13));  // the writer had not switched yet
  fs.Append("/log/app.log", Lines(13, 18));
  run.Poll();
  run.Poll();
  fs.Append("/log/app.log", Lines(18, 20));
  run.Poll();
  EXPECT_EQ(run.Finish(), Lines(0, 20));
}

TEST(Tailer, CopyTruncateStartsOverAtZero) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 8));
  TailRun run(&fs, {"/log/app.log"});
  run.Poll();
  fs.Truncate("/log/app.log");
  run.Poll();
  fs.Append("/log/app.log", Lines(8, 10));
  run.Poll();
  EXPECT_EQ(run.Finish(), Lines(0, 10));
}

// copytruncate while an over-long line is still being skipped (its newline
// never came): the line ends with the file's old contents, its dead-letter
// record and count are kept, and reading starts over at zero.
TEST(Tailer, CopyTruncateInsideAnOverLongLineKeepsItsRecord) {
  FakeFs fs;
  ReaderOptions ro;
  ro.max_line_bytes = 100;
  ro.long_line_prefix = 10;
  const std::string long_line(300, 'x');
  fs.Append("/log/app.log", Lines(0, 3) + long_line);  // no newline yet
  TailRun run(&fs, {"/log/app.log"}, {}, {}, ro);
  run.Poll();
  run.Poll();
  fs.Append("/log/app.log", std::string(50, 'y'));  // still the same line
  run.Poll();
  fs.Truncate("/log/app.log");
  run.Poll();
  fs.Append("/log/app.log", Lines(3, 6));
  run.Poll();
  EXPECT_EQ(run.Finish(), Lines(0, 6));
  std::string record;
  AppendTooLongRecord(long_line.substr(0, 10), 350, &record);
  EXPECT_EQ(run.TooLong(), record);
  ASSERT_EQ(run.TooLongLines().size(), 1u);
  EXPECT_EQ(run.TooLongLines()[0].offset, Lines(0, 3).size());
  EXPECT_EQ(run.TooLongLines()[0].length, 350u);
}

TEST(Tailer, TruncateAndRewriteLongerIsNoticedByTheFingerprint) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 2));
  TailRun run(&fs, {"/log/app.log"});
  run.Poll();
  fs.Truncate("/log/app.log");
  fs.Append("/log/app.log", Lines(100, 110));  // already longer than before when polled
  run.Poll();
  EXPECT_EQ(run.Finish(), Lines(0, 2) + Lines(100, 110));
}

TEST(Tailer, PartialLastLineWaitsForItsNewline) {
  FakeFs fs;
  fs.Append("/log/app.log", "first\nsec");
  TailRun run(&fs, {"/log/app.log"});
  run.Poll();
  run.Poll();
  fs.Append("/log/app.log", "ond\nthi");
  run.Poll();
  EXPECT_EQ(run.Finish(), "first\nsecond\n");  // "thi" still waits at shutdown
}

TEST(Tailer, PartialLastLineIsTakenWhenTheFileIsRotatedAway) {
  FakeFs fs;
  fs.Append("/log/app.log", "first\nlast-without-newline");
  TailRun run(&fs, {"/log/app.log"});
  run.Poll();
  fs.Rename("/log/app.log", "/archive/app.log.1");
  run.Poll();
  EXPECT_EQ(run.Finish(), "first\nlast-without-newline\n");
}

TEST(Tailer, ResumesAtTheCheckpointedOffsetOfTheSameFile) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 5) + "partial");
  std::string offsets;
  {
    TailRun run(&fs, {"/log/app.log"});
    run.Poll();
    EXPECT_EQ(run.Finish(), Lines(0, 5));
    offsets = run.Offsets();
  }
  fs.Append("/log/app.log", "-done\n" + Lines(5, 7));
  TailRun again(&fs, {"/log/app.log"}, SourceTable::Decode(offsets));
  again.Poll();
  EXPECT_EQ(again.Finish(), "partial-done\n" + Lines(5, 7));
}

TEST(Tailer, RotationDuringARestartResumesTheRenamedFile) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 4));
  std::string offsets;
  {
    TailRun run(&fs, {"/log/app.log*"});
    run.Poll();
    EXPECT_EQ(run.Finish(), Lines(0, 4));
    offsets = run.Offsets();
  }
  fs.Append("/log/app.log", Lines(4, 6));
  fs.Rename("/log/app.log", "/log/app.log.1");
  fs.Append("/log/app.log", Lines(6, 8));
  TailRun again(&fs, {"/log/app.log*"}, SourceTable::Decode(offsets));
  again.Poll();
  std::string out = again.Finish();
  // The new file sorts first (app.log < app.log.1); each line exactly once.
  EXPECT_EQ(out, Lines(6, 8) + Lines(4, 6));
}

TEST(Tailer, ReusedInodeWithOtherContentIsANewFile) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 6), /*ino=*/7);
  std::string offsets;
  {
    TailRun run(&fs, {"/log/app.log"});
    run.Poll();
    run.Finish();
    offsets = run.Offsets();
  }
  fs.Remove("/log/app.log");
  fs.Append("/log/app.log", "other-first-line\n" + Lines(50, 52), /*ino=*/7);
  TailRun again(&fs, {"/log/app.log"}, SourceTable::Decode(offsets));
  again.Poll();
  EXPECT_EQ(again.Finish(), "other-first-line\n" + Lines(50, 52));
}

// The offsets section's source lines (after the header line).
std::vector<std::string> OffsetLines(const std::string& offsets) {
  std::vector<std::string> out = absl::StrSplit(offsets, '\n', absl::SkipEmpty());
  EXPECT_FALSE(out.empty());
  if (!out.empty()) out.erase(out.begin());
  return out;
}

TEST(Tailer, RotatedAwayAndDeletedFilesLeaveTheCheckpoint) {
  // logrotate with "rotate 1": app.log -> app.log.1, the old app.log.1 is
  // deleted. 40 rotations; the checkpoint names the 2 files still there.
  FakeFs fs;
  std::string expected, offsets;
  {
    TailRun run(&fs, {"/log/app.log*"});
    for (int day = 0; day < 40; ++day) {
      const std::string lines = "day-" + std::to_string(day) + "\n" + Lines(day * 3, day * 3 + 3);
      fs.Append("/log/app.log", lines);
      expected += lines;
      run.Poll();
      fs.Remove("/log/app.log.1");
      fs.Rename("/log/app.log", "/log/app.log.1");
      run.Poll();
    }
    fs.Append("/log/app.log", "day-40\n");
    expected += "day-40\n";
    run.Poll();
    EXPECT_EQ(run.Finish(), expected);
    offsets = run.Offsets();
  }
  std::vector<std::string> lines = OffsetLines(offsets);
  ASSERT_EQ(lines.size(), 2u) << offsets;
  // In the order they were opened, each under the name it has now.
  EXPECT_TRUE(absl::EndsWith(lines[0], "\t34\t/log/app.log.1")) << offsets;  // day-39, 3 lines
  EXPECT_TRUE(absl::EndsWith(lines[1], "\t7\t/log/app.log")) << offsets;     // "day-40\n"
  // And they still resume: only what was written while we were down is read.
  fs.Append("/log/app.log", Lines(500, 502));
  TailRun again(&fs, {"/log/app.log*"}, SourceTable::Decode(offsets));
  again.Poll();
  EXPECT_EQ(again.Finish(), Lines(500, 502));
}

TEST(Tailer, CopyTruncateRotationsLeaveOneCheckpointLine) {
  FakeFs fs;
  TailRun run(&fs, {"/log/app.log"});
  std::string expected;
  for (int day = 0; day < 25; ++day) {
    const std::string lines = "day-" + std::to_string(day) + "\n" + Lines(0, 2);
    fs.Append("/log/app.log", lines);
    expected += lines;
    run.Poll();
    fs.Truncate("/log/app.log");
    run.Poll();
  }
  fs.Append("/log/app.log", "day-25\n");
  expected += "day-25\n";
  run.Poll();
  EXPECT_EQ(run.Finish(), expected);
  std::vector<std::string> lines = OffsetLines(run.Offsets());
  ASSERT_EQ(lines.size(), 1u);
  // The live identity: the current first line's fingerprint, offset at its end.
  EXPECT_TRUE(absl::StrContains(lines[0], "\t7\t/log/app.log")) << lines[0];
}

// Follows app.log through two polls during which `failure` (a FakeFs switch)
// is on, lines appended before, during and after; the output.
std::string FollowThroughAFailedScan(bool FakeFs::*failure, const std::string& pattern) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 4));
  TailRun run(&fs, {pattern});
  run.Poll();
  fs.*failure = true;
  fs.Append("/log/app.log", Lines(4, 6));
  run.Poll();
  run.Poll();
  fs.*failure = false;
  fs.Append("/log/app.log", Lines(6, 7));
  run.Poll();
  return run.Finish();
}

TEST(Tailer, APatternThatBrieflyFailsToExpandReadsNothingTwice) {
  EXPECT_EQ(FollowThroughAFailedScan(&FakeFs::glob_fails, "/log/*.log"), Lines(0, 7));
}

TEST(Tailer, APathThatBrieflyCannotBeExaminedReadsNothingTwice) {
  EXPECT_EQ(FollowThroughAFailedScan(&FakeFs::stat_fails, "/log/app.log"), Lines(0, 7));
}

TEST(Tailer, AnUnreadableFileWarnsOnceWhileItLastsAndAgainWhenItComesBack) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 2));
  fs.Append("/log/secret.log", "x\n");
  fs.unreadable.insert("/log/secret.log");
  TailRun run(&fs, {"/log/*.log"});
  run.Poll();
  run.Poll();
  run.Poll();
  EXPECT_EQ(run.Warnings(), std::vector<std::string>{"cannot open /log/secret.log"});
  fs.Remove("/log/secret.log");  // gone: forgotten
  run.Poll();
  EXPECT_EQ(run.FailingCount(), 0u);
  fs.Append("/log/secret.log", "y\n");  // a new unreadable file of that name
  run.Poll();
  run.Poll();
  EXPECT_EQ(run.Warnings(), std::vector<std::string>{"cannot open /log/secret.log"});
  EXPECT_EQ(run.Finish(), Lines(0, 2));
}

TEST(Tailer, APathThatCannotBeExaminedWarnsOnceWhileItLasts) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 2));
  TailRun run(&fs, {"/log/*.log"});
  run.Poll();
  fs.stat_fails = true;
  run.Poll();
  run.Poll();
  EXPECT_EQ(run.Warnings(), std::vector<std::string>{"cannot stat /log/app.log"});
  fs.stat_fails = false;
  fs.Append("/log/app.log", Lines(2, 3));
  run.Poll();
  EXPECT_TRUE(run.Warnings().empty());
  EXPECT_EQ(run.FailingCount(), 0u);
  EXPECT_EQ(run.Finish(), Lines(0, 3));
}

// Rotation by timestamped names, every file unreadable: each warns once and
// the tailer remembers only the ones still there.
TEST(Tailer, RotatedUnreadableFilesDoNotPileUp) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 1));
  TailRun run(&fs, {"/log/*.log"});
  size_t warnings = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string path = "/log/audit-" + std::to_string(1000 + i) + ".log";
    fs.Append(path, "x\n");
    fs.unreadable.insert(path);
    if (i >= 2) fs.Remove("/log/audit-" + std::to_string(1000 + i - 2) + ".log");  // keep 2
    run.Poll();
    warnings += run.Warnings().size();
    EXPECT_LE(run.FailingCount(), 2u) << "poll " << i;
  }
  EXPECT_EQ(warnings, 60u);
  EXPECT_EQ(run.Finish(), Lines(0, 1));
}

TEST(Tailer, AFileRenamedOutOfThePatternsAndBackGoesOnWhereItWasLeft) {
  FakeFs fs;
  fs.Append("/log/a.json", Lines(0, 3));
  TailRun run(&fs, {"/log/*.json"});
  run.Poll();
  fs.Rename("/log/a.json", "/log/a.json.tmp");  // out of the pattern: dropped
  run.Poll();
  fs.Append("/log/a.json.tmp", Lines(3, 5));
  fs.Rename("/log/a.json.tmp", "/log/a.json");  // back in
  run.Poll();
  fs.Append("/log/a.json", Lines(5, 6));
  run.Poll();
  EXPECT_EQ(run.Finish(), Lines(0, 6));
}

TEST(Tailer, DroppedFilesAreRememberedBoundedly) {
  FakeFs fs;
  TailRun run(&fs, {"/log/*.json"});
  std::string expected;
  for (int i = 0; i < 1100; ++i) {
    const std::string path = "/log/f" + std::to_string(i) + ".json";
    fs.Append(path, Lines(i, i + 1));
    expected += Lines(i, i + 1);
    run.Poll();
    fs.Remove(path);
    run.Poll();
  }
  EXPECT_EQ(run.DroppedCount(), Tailer::kDroppedMemory);
  EXPECT_EQ(run.Finish(), expected);
}

TEST(Tailer, TwoFilesWithTheSameFirstLineAreBothRead) {
  FakeFs fs;
  fs.Append("/log/a.log", "header\n" + Lines(0, 2));
  fs.Append("/log/b.log", "header\n" + Lines(10, 12));
  std::string offsets;
  {
    TailRun run(&fs, {"/log/*.log"});
    run.Poll();
    EXPECT_EQ(run.Finish(), "header\n" + Lines(0, 2) + "header\n" + Lines(10, 12));
    offsets = run.Offsets();
  }
  fs.Append("/log/b.log", Lines(12, 13));
  TailRun again(&fs, {"/log/*.log"}, SourceTable::Decode(offsets));
  again.Poll();
  EXPECT_EQ(again.Finish(), Lines(12, 13));
}

TEST(Tailer, StartAtTailSkipsWhatWasThereAtTheFirstScan) {
  FakeFs fs;
  fs.Append("/log/app.log", Lines(0, 5) + "half");
  TailRun run(&fs, {"/log/*.log"}, {}, TailOptions{/*from_tail=*/true});
  run.Poll();
  fs.Append("/log/app.log", "-line\n" + Lines(5, 6));
  fs.Append("/log/new.log", Lines(20, 21));  // a file that appears later is read whole
  run.Poll();
  EXPECT_EQ(run.Finish(), "half-line\n" + Lines(5, 6) + Lines(20, 21));
}

}  // namespace
}  // namespace exfilter
