// The identities file: CSV (header line naming the columns) or JSONL.
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "pipeline/detect/event_builder.h"
#include "simdjson.h"
#include "util/hash.h"
#include "util/strings.h"

namespace exfilter {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}
std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<bool> ParseBool(std::string_view s) {
  std::string v = absl::AsciiStrToLower(ToAbsl(s));
  if (v == "true" || v == "1" || v == "yes" || v == "y") return true;
  if (v == "false" || v == "0" || v == "no" || v == "n" || v.empty()) return false;
  return std::nullopt;
}

std::string_view Unquote(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

absl::Status Add(std::string_view user, std::string_view dept, std::string_view sa,
                 std::string_view where, absl::flat_hash_map<uint64_t, Identity>* out) {
  if (user.empty()) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(where), ": empty user"));
  std::optional<bool> service_account = ParseBool(sa);
  if (!service_account) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(where), ": service_account must be true/false/1/0/yes/no"));
  }
  Identity id;
  id.department_key = dept.empty() ? 0 : StableHash(dept, 0x646570);
  id.service_account = *service_account;
  (*out)[StableHash(absl::AsciiStrToLower(ToAbsl(user)))] = id;
  return absl::OkStatus();
}

absl::Status ParseCsv(std::string_view contents, std::string_view path,
                      absl::flat_hash_map<uint64_t, Identity>* out) {
  std::vector<std::string_view> lines = Split(contents, '\n');
  int col_user = -1, col_dept = -1, col_sa = -1;
  bool header = true;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = Trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> cols = Split(line, ',');
    std::string where = absl::StrCat(ToAbsl(path), ":", i + 1);
    if (header) {
      for (size_t c = 0; c < cols.size(); ++c) {
        std::string name = absl::AsciiStrToLower(ToAbsl(Unquote(cols[c])));
        if (name == "user") col_user = static_cast<int>(c);
        if (name == "department") col_dept = static_cast<int>(c);
        if (name == "service_account") col_sa = static_cast<int>(c);
      }
      if (col_user < 0) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": header has no 'user' column"));
      }
      header = false;
      continue;
    }
    auto col = [&](int c) { return c >= 0 && c < static_cast<int>(cols.size()) ? Unquote(cols[c]) : ""; };
    if (absl::Status s = Add(col(col_user), col(col_dept), col(col_sa), where, out); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ParseJsonl(std::string_view contents, std::string_view path,
                        absl::flat_hash_map<uint64_t, Identity>* out) {
  simdjson::dom::parser parser;
  std::vector<std::string_view> lines = Split(contents, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = Trim(lines[i]);
    if (line.empty()) continue;
    std::string where = absl::StrCat(ToAbsl(path), ":", i + 1);
    simdjson::dom::object obj;
    if (parser.parse(line.data(), line.size()).get_object().get(obj)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": not a JSON object"));
    }
    std::string_view user, dept, sa;
    bool sa_bool = false;
    std::string sa_text;
    if (obj["user"].get_string().get(user)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": no string member 'user'"));
    }
    if (obj["department"].get_string().get(dept)) dept = {};
    if (!obj["service_account"].get_bool().get(sa_bool)) {
      sa = sa_bool ? "true" : "false";
    } else {
      if (obj["service_account"].get_string().get(sa)) sa = {};
    }
    sa_text = std::string(sa);
    std::string u(user), d(dept);  // views die at the next parse
    if (absl::Status s = Add(u, d, sa_text, where, out); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Identities> Identities::Parse(std::string_view contents, std::string_view path) {
  Identities ids;
  size_t first = contents.find_first_not_of(" \t\r\n");
  absl::Status s = first != std::string_view::npos && contents[first] == '{'
                       ? ParseJsonl(contents, path, &ids.by_user_)
                       : ParseCsv(contents, path, &ids.by_user_);
  if (!s.ok()) return s;
  return ids;
}

absl::StatusOr<Identities> Identities::Load(std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read identities file ", ToAbsl(path)));
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
}

const Identity* Identities::Find(std::string_view user) const {
  auto it = by_user_.find(StableHash(user));
  return it == by_user_.end() ? nullptr : &it->second;
}

}  // namespace exfilter
