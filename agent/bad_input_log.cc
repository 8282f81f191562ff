#include "agent/bad_input_log.h"

#include "absl/strings/str_cat.h"
#include "util/strings.h"

namespace exfilter {

void BadInputLog::StartChunk(uint32_t source, uint64_t begin_offset, uint64_t skipped_bytes) {
  if (source >= positions_.size()) positions_.resize(source + 1);
  Position& pos = positions_[source];
  if (begin_offset == skipped_bytes) {
    pos = Position{0, 0, true, true};  // from the start of the source (or a truncated file read again)
  } else if (!pos.seen || begin_offset < pos.end_offset) {
    pos = Position{0, 0, false, true};  // resumed mid-file, or offsets went back: lines unknown
  }
  current_ = &pos;
}

void BadInputLog::TooLong(std::string_view source_name, const LongLine& line, absl::Time now,
                          std::string* messages) {
  Report(source_name, 0, absl::StrCat(" (byte ", line.offset, ")"), ParseErrorKind::kTooLong,
         TooLongDetail(line.length, line.looks_like), now, messages);
  if (current_ != nullptr) ++current_->lines;
}

std::string BadInputLog::TooLongDetail(uint64_t length, std::string_view looks_like) {
  std::string detail = absl::StrCat("a line of ", length, " bytes, over max_line_bytes: skipped");
  if (!looks_like.empty()) {
    absl::StrAppend(&detail, "; it starts like ", ToAbsl(looks_like), ": raise max_line_bytes to read such pages whole");
  }
  return detail;
}

void BadInputLog::Bad(std::string_view source_name, uint64_t lines_before, uint64_t offset, ParseErrorKind kind,
                      std::string_view detail, absl::Time now, std::string* messages) {
  Report(source_name, lines_before, absl::StrCat(" (byte ", offset, ")"), kind, detail, now, messages);
}

void BadInputLog::Report(std::string_view source_name, uint64_t lines_before, const std::string& where,
                         ParseErrorKind kind, std::string_view detail, absl::Time now, std::string* messages) {
  if (reported_ >= first_n_) {
    ++held_back_;
    return;
  }
  ++reported_;
  std::string_view name = source_name == "-" || source_name.empty() ? "stdin" : source_name;
  absl::StrAppend(messages, "exfilter: bad input: ", ToAbsl(name));
  if (current_ != nullptr && current_->known) absl::StrAppend(messages, ":", current_->lines + lines_before + 1);
  absl::StrAppend(messages, where, ": ", ToAbsl(ParseErrorKindName(kind)));
  if (!detail.empty()) absl::StrAppend(messages, ": ", ToAbsl(detail));
  messages->push_back('\n');
  if (reported_ == first_n_) {
    absl::StrAppend(messages, "exfilter: bad input: that makes ", first_n_,
                    " messages; further bad records are counted (errors= in the stats) and summed up every ",
                    absl::FormatDuration(interval_), "\n");
    last_summary_ = now;
  }
}

void BadInputLog::EndChunk(uint64_t end_offset, uint64_t newlines) {
  if (current_ == nullptr) return;
  current_->lines += newlines;
  current_->end_offset = end_offset;
  current_ = nullptr;
}

void BadInputLog::Tick(absl::Time now, std::string* messages) {
  if (held_back_ == 0 || now - last_summary_ < interval_) return;
  absl::StrAppend(messages, "exfilter: bad input: ", held_back_, " more bad records since the last report\n");
  held_back_ = 0;
  last_summary_ = now;
}

}  // namespace exfilter
