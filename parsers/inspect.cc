// The JSON lines printed by `exfilter inspect` (see inspect.h).
#include "parsers/inspect.h"

#include <cstdio>

#include "util/civil_date.h"

namespace exfilter {
namespace {

void Field(std::string_view key, std::string_view value, std::string* out) {
  out->push_back(',');
  AppendJsonString(key, out);
  out->push_back(':');
  AppendJsonString(value, out);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendRfc3339Millis(int64_t time_ms, std::string* out) {
  int64_t days = time_ms >= 0 ? time_ms / 86400000 : -((-time_ms + 86399999) / 86400000);
  int64_t rest = time_ms - days * 86400000;
  const CivilDate date = CivilFromDays(days);
  char buf[40];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                        static_cast<long long>(date.year), date.month, date.day,
                        static_cast<long long>(rest / 3600000),
                        static_cast<long long>(rest / 60000 % 60),
                        static_cast<long long>(rest / 1000 % 60),
                        static_cast<long long>(rest % 1000));
  out->append(buf, static_cast<size_t>(n));
}

void AppendInspectJson(const AuditEvent& ev, std::string* out) {
  out->append("{\"service\":");
  AppendJsonString(ServiceName(ev.service), out);
  Field("tenant", ev.tenant, out);
  Field("user", ev.user, out);
  out->append(",\"time\":");
  if (ev.time_ms == 0) {
    out->append("null");
  } else {
    out->push_back('"');
    AppendRfc3339Millis(ev.time_ms, out);
    out->push_back('"');
  }
  Field("action", ActionClassName(ev.action), out);
  Field("op", ev.op, out);
  Field("ip", ev.ip, out);
  Field("object", ev.object, out);
  Field("destination", ev.destination, out);
  Field("app", ev.app, out);
  Field("user_agent", ev.user_agent, out);
  Field("id", ev.id, out);
  Field("user_id", ev.user_id, out);
  out->append(ev.primary ? ",\"primary\":true}" : ",\"primary\":false}");
}

void AppendInspectErrorJson(const ParseError& err, uint64_t line, std::string_view source,
                            std::string* out, std::string_view hint) {
  out->append("{\"error\":");
  AppendJsonString(ParseErrorKindName(err.kind), out);
  out->append(",\"line\":");
  out->append(std::to_string(line));
  Field("source", source, out);
  Field("detail", err.detail, out);
  if (!hint.empty()) Field("hint", hint, out);
  out->push_back('}');
}

}  // namespace exfilter
