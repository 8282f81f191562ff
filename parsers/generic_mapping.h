// The generic source: a mapping, written in the config file's [generic]
// table, that tells ChunkParser where the audit fields of some other service
// (Dropbox, Slack, AWS CloudTrail S3 PutObject ...) live, as JSON pointers,
// and which operation values mean upload / create / copy / sign-in.
//
//   [generic]
//   name = "cloudtrail_s3"            # label only
//   detect = "/eventSource"           # in auto mode, a record is this source when
//                                     # this pointer exists (default: the op pointer)
//   user = "/userIdentity/arn"        # required
//   time = "/eventTime"               # required
//   time_format = "rfc3339"           # rfc3339 | unix_s | unix_ms
//   op = "/eventName"                 # required
//   ip = "/sourceIPAddress"
//   id = "/eventID"
//   tenant = "/recipientAccountId"
//   user_id = "/userIdentity/principalId"
//   object = "/requestParameters/key"
//   destination = "/requestParameters/bucketName"
//   app = "/userIdentity/invokedBy"
//   user_agent = "/userAgent"
//   [generic.ops]                     # op value -> action class; others are "other"
//   upload = ["PutObject", "UploadPart"]
//   create = ["CreateBucket"]
//   copy = ["CopyObject", "UploadPartCopy"]
//   signin_success = ["ConsoleLogin"]
//   signin_failure = []
//   signin_risky = []
//   file_other = ["GetObject", "DeleteObject"]
//
// Thread safety: a loaded GenericMapping is immutable and may be shared.
#pragma once

#include <string>
#include <string_view>

#include <toml++/impl/forward_declarations.h>  // toml::table; the .cc files include toml.h

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "parsers/audit_event.h"

namespace exfilter {

enum class GenericTimeFormat : uint8_t {
  kRfc3339 = 0,  // any ISO 8601 / RFC 3339 form the parser knows; no zone = UTC
  kUnixSeconds,  // number or numeric string
  kUnixMillis,   // number or numeric string
};

struct GenericMapping {
  std::string name = "generic";
  // JSON pointers (RFC 6901, "/a/b/0"); empty = field absent.
  std::string detect;
  std::string user, time, op;  // required
  std::string ip, id, tenant, user_id, object, destination, app, user_agent;
  GenericTimeFormat time_format = GenericTimeFormat::kRfc3339;
  // Operation value (exact, case-sensitive) -> action class.
  absl::flat_hash_map<std::string, ActionClass> ops;

  ActionClass Classify(std::string_view op) const;
};

// Fills *out from the [generic] table. Refuses unknown keys, wrong types,
// a missing user/time/op, an unknown time_format or action class, and pointers
// not starting with '/', with InvalidArgument naming the key and its line
// ("generic.ops.uplod (line 12): unknown key"). *out is unspecified on error.
absl::Status LoadGenericMapping(const toml::table& table, GenericMapping* out);

}  // namespace exfilter
