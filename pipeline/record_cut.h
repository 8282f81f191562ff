// Where the reader cuts a chunk: after a line, and preferably where a
// record starts, so that a pretty-printed (multi-line) API page that crosses
// the end of a read goes whole into the next chunk instead of being parsed
// in two broken halves. A record boundary is a newline between a line that
// ends with '}' or ']' and a line that starts with '{' or '[' at column 0
// (blank lines aside): inside a JSON value a comma would stand between them.
// At the end of the bytes at hand, where the next line is not known yet, the
// line before must look like a whole record ("{...}", or a closing bracket
// alone). NDJSON cuts exactly where a plain last-newline cut would.
// Thread safety: pure function.
#pragma once

#include <cstddef>

namespace exfilter {

// The end (one past a newline) of the best cut in data[start, window_end):
// the last record boundary, or the last newline if that
// would leave more than max_tail bytes (from the cut to window_end) for the
// next chunk, or start if the window holds no newline. Bytes up to
// avail_end >= window_end are readable; at avail_end the line before decides
// alone.
size_t RecordCut(const char* data, size_t start, size_t window_end, size_t avail_end,
                 size_t max_tail);

}  // namespace exfilter
