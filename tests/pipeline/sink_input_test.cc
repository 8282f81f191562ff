// Sinks (file rotation on line boundaries, zstd rotation, TCP reconnect) and
// inputs (zstd decompression, resume offsets, truncated streams).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "pipeline/input.h"
#include "pipeline/sink.h"

namespace exfilter {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/exfilter-sink-test.XXXXXX";
  return mkdtemp(tmpl);
}
std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
std::string Lines(int n, int width) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    std::string line = "{\"n\":" + std::to_string(i) + "}";
    line.resize(width - 1, ' ');
    s += line + "\n";
  }
  return s;
}
std::string ReadAll(Input& in) {
  std::string out;
  char buf[1000];
  while (true) {
    absl::StatusOr<size_t> n = in.Read(buf, sizeof(buf));
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok() || *n == 0) return out;
    out.append(buf, *n);
  }
}

TEST(FileSink, RotatesOnLineBoundariesAndKeepsEveryLine) {
  const std::string dir = TempDir();
  SinkOptions opt;
  opt.rotate_bytes = 1000;
  opt.keep_files = 10;
  auto sink = OpenSink("file:" + dir + "/out.ndjson", opt);
  ASSERT_TRUE(sink.ok()) << sink.status();
  const std::string text = Lines(100, 30);  // 3000 bytes in lines of 30
  ASSERT_TRUE((*sink)->Write(text.substr(0, 1500)).ok());
  ASSERT_TRUE((*sink)->Write(text.substr(1500)).ok());
  sink->reset();
  // 990 bytes (33 lines) per file: out.ndjson.3 is the oldest.
  EXPECT_EQ(ReadFile(dir + "/out.ndjson.3") + ReadFile(dir + "/out.ndjson.2") + ReadFile(dir + "/out.ndjson.1") +
                ReadFile(dir + "/out.ndjson"),
            text);
  EXPECT_EQ(ReadFile(dir + "/out.ndjson.1").size(), 990u);
  EXPECT_EQ(ReadFile(dir + "/out.ndjson").size(), 30u);
}

TEST(FileSink, CompressedRotationDecompressesToTheLines) {
  const std::string dir = TempDir();
  SinkOptions opt;
  opt.rotate_bytes = 600;
  opt.compress = true;
  auto sink = OpenSink("file:" + dir + "/o.ndjson", opt);
  ASSERT_TRUE(sink.ok());
  const std::string text = Lines(30, 30);
  ASSERT_TRUE((*sink)->Write(text).ok());
  sink->reset();
  auto in = OpenInput(dir + "/o.ndjson.1.zst");
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(ReadAll(**in) + ReadFile(dir + "/o.ndjson"), text);
  EXPECT_FALSE(std::ifstream(dir + "/o.ndjson.1").good());  // only the .zst is kept
}

TEST(OpenSink, RefusesBadUrisWithAUsefulMessage) {
  EXPECT_EQ(OpenSink("udp://x:1", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(OpenSink("tcp://host", {}).status().message().find("tcp://HOST:PORT"), std::string::npos);
  EXPECT_EQ(OpenSink("tcp://host:0", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSink("file:", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(OpenSink("-", {}).ok());
}

// A TCP server bound to a loopback port that refuses connections until
// Listen(), then reads one connection to its end.
class Server {
 public:
  Server() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Server() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  void Listen() {
    listen(fd_, 4);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      char buf[4096];
      ssize_t n;
      while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0) received_.append(buf, n);
      if (c >= 0) close(c);
    });
  }
  int port() const { return port_; }
  std::string received() {
    thread_.join();
    return received_;
  }

 private:
  int fd_, port_;
  std::thread thread_;
  std::string received_;
};

TEST(TcpSink, RetriesWithBackoffUntilThePeerListensAndLosesNothing) {
  Server server;
  SinkOptions opt;
  opt.retry_initial = absl::Milliseconds(1);
  opt.retry_max = absl::Milliseconds(4);
  std::atomic<uint64_t> retries{0};
  opt.retries = &retries;
  auto sink = OpenSink("tcp://127.0.0.1:" + std::to_string(server.port()), opt);
  ASSERT_TRUE(sink.ok());
  std::thread opener([&] {
    while (retries.load() < 3) std::this_thread::yield();  // refused three times first
    server.Listen();
  });
  const std::string big = Lines(20000, 50);  // 1 MB
  ASSERT_TRUE((*sink)->Write(big).ok());
  ASSERT_TRUE((*sink)->Write("{\"last\":1}\n").ok());
  opener.join();
  sink->reset();  // closes the connection: the server sees the end
  EXPECT_EQ(server.received(), big + "{\"last\":1}\n");
  EXPECT_GE(retries.load(), 3u);
}

TEST(TcpSink, GivesUpAfterMaxAttemptsWhenNobodyListens) {
  SinkOptions opt;
  opt.retry_initial = absl::Milliseconds(1);
  opt.max_attempts = 3;
  auto sink = OpenSink("tcp://127.0.0.1:1", opt);
  ASSERT_TRUE(sink.ok());
  absl::Status s = (*sink)->Write("x\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("tcp://127.0.0.1:1"), std::string::npos);
}

TEST(ZstdInput, DecompressesAndSkipsToTheResumeOffset) {
  const std::string dir = TempDir();
  const std::string text = Lines(5000, 40);
  std::string z(ZSTD_compressBound(text.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
  std::ofstream(dir + "/in.ndjson.zst") << z;
  auto in = OpenInput(dir + "/in.ndjson.zst");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(ReadAll(**in), text);
  auto resumed = OpenInput(dir + "/in.ndjson.zst", 40 * 4321);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(ReadAll(**resumed), text.substr(40 * 4321));
}

TEST(ZstdInput, TruncatedStreamIsADataLossError) {
  const std::string dir = TempDir();
  const std::string text = Lines(2000, 40);
  std::string z(ZSTD_compressBound(text.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
  std::ofstream(dir + "/cut.zst") << z.substr(0, z.size() / 2);
  auto in = OpenInput(dir + "/cut.zst");
  ASSERT_TRUE(in.ok());
  char buf[100000];
  absl::Status status;
  while (status.ok()) {
    absl::StatusOr<size_t> n = (*in)->Read(buf, sizeof(buf));
    if (!n.ok()) status = n.status();
    if (n.ok() && *n == 0) break;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("cut.zst"), std::string::npos);
}

TEST(OpenInput, MissingFileSaysSo) {
  auto in = OpenInput("/no/such/file.json");
  EXPECT_EQ(in.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(in.status().message().find("/no/such/file.json"), std::string::npos);
}

}  // namespace
}  // namespace exfilter
