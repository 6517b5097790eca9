// IniStore: the layered grafana.ini-style settings, before they are typed.
// Each value remembers where it came from (file and line, or the environment
// variable), so a bad value can be reported precisely. Files are parsed with
// inih through a line reader that counts lines.
// Thread-safety: a plain value; not safe for concurrent mutation. Parsing
// sets inih's process-wide options, so parse from one thread at a time
// (start-up).
#ifndef RUNNEL_HOST_CONFIG_INI_STORE_H_
#define RUNNEL_HOST_CONFIG_INI_STORE_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runnel/status.h"

namespace runnel::host {

// Where a value was set: "conf/defaults.ini:12" or
// "environment variable RUNNEL_LIVE_MAX_CONNECTIONS".
struct IniOrigin {
  std::string file;  // file path, or "" for the environment
  int line = 0;      // 1-based; 0 for the environment
  std::string env_name;

  std::string ToString() const;
};

struct IniValue {
  std::string value;
  IniOrigin origin;
};

// Looks up an environment variable; returns nullptr when unset.
using EnvLookup = std::function<const char*(const char* name)>;

class IniStore {
 public:
  using Section = std::map<std::string, IniValue>;

  // Parses `text` as if read from `file_name` and layers its values over the
  // ones already stored. Section and key names are lower-cased. On the first
  // bad line returns InvalidArgument "<file>:<line>: <what is wrong>".
  Status ParseText(std::string_view text, const std::string& file_name);

  // Reads and parses a file. A missing or unreadable file is an error, and
  // so is a folder, a binary (NUL bytes) or a file over 16 MiB, each with
  // the path and the reason.
  Status ParseFile(const std::string& path);

  // For every stored section/key, RUNNEL_<SECTION>_<KEY> (upper-case, '.'
  // and '-' become '_') replaces the value when set. Like Grafana, only keys
  // that exist (in defaults.ini or the --config file) can be overridden.
  void ApplyEnvironment(const std::string& prefix, const EnvLookup& getenv);

  // Replaces "${NAME}" in every value by the environment variable NAME
  // (empty when unset), as Grafana does.
  void ExpandEnvironment(const EnvLookup& getenv);

  // nullptr when absent.
  const IniValue* Find(const std::string& section,
                       const std::string& key) const;
  const std::map<std::string, Section>& sections() const { return sections_; }

  void Set(const std::string& section, const std::string& key, IniValue value);

  // "RUNNEL_LIVE_MAX_CONNECTIONS" for ("RUNNEL", "live", "max_connections").
  static std::string EnvName(const std::string& prefix,
                             const std::string& section,
                             const std::string& key);

 private:
  std::map<std::string, Section> sections_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_CONFIG_INI_STORE_H_
