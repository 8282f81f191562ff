// EnvelopeHint (parsers/envelope_hint.h) on the corpus: every vendor page is
// recognized from its first bytes, and no single event looks like a page.
#include <filesystem>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "util/envelope_hint.h"
#include "tests/parsers/collect_sink.h"

namespace exfilter {
namespace {

const std::string kCorpus = EXFILTER_CORPUS_DIR;

TEST(EnvelopeHint, EveryCorpusPageIsNamed) {
  const std::string m365 = "a JSON array, like a Microsoft 365 content blob";
  const std::string google = "a Google Workspace Reports API page";
  const std::string box = "a Box events page";
  int pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus + "/pages")) {
    const std::string name = entry.path().filename().string();
    const std::string text = ReadFileOrDie(entry.path().string());
    const std::string hint(EnvelopeHint(text));
    if (name.rfind("m365_", 0) == 0) {
      EXPECT_EQ(hint, m365) << name;
    } else if (name.rfind("gws_", 0) == 0) {
      EXPECT_EQ(hint, google) << name;
    } else {
      ASSERT_EQ(name.rfind("box_", 0), 0u) << name;
      EXPECT_EQ(hint, box) << name;
    }
    ++pages;
  }
  EXPECT_GE(pages, 8);
}

TEST(EnvelopeHint, NoSingleEventLooksLikeAPage) {
  int events = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    if (entry.path().extension() != ".ndjson") continue;
    std::istringstream lines(ReadFileOrDie(entry.path().string()));
    for (std::string line; std::getline(lines, line);) {
      EXPECT_EQ(EnvelopeHint(line), "") << entry.path().filename() << ": " << line.substr(0, 80);
      ++events;
    }
  }
  EXPECT_GT(events, 50);
}

TEST(EnvelopeHint, OnlyTheFirstBytesAndLeadingSpaceCount) {
  EXPECT_EQ(EnvelopeHint("  \n [{\"CreationTime\":"), "a JSON array, like a Microsoft 365 content blob");
  EXPECT_EQ(EnvelopeHint(""), "");
  EXPECT_EQ(EnvelopeHint("   "), "");
  EXPECT_EQ(EnvelopeHint("\"items\""), "");  // not an object
  // A page key beyond the bytes read does not count.
  const std::string late = "{\"x\":\"" + std::string(kEnvelopeHintBytes, 'y') + "\",\"entries\":[]}";
  EXPECT_EQ(EnvelopeHint(late), "");
  EXPECT_EQ(EnvelopeHint("{\"chunk_size\":500,\"entries\":["), "a Box events page");
}

}  // namespace
}  // namespace exfilter
