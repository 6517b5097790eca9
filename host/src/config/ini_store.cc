#include "config/ini_store.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ini.h"

namespace runnel::host {
namespace {

// The longest line accepted; longer lines are an error naming the line.
constexpr int kMaxLineBytes = 64 * 1024;
// The largest config file read. Grafana's own defaults.ini is ~80 KB; a file
// far bigger than this (or endless, like /dev/zero) is not a config file.
constexpr size_t kMaxFileBytes = 16 * 1024 * 1024;
// How much of a bad line an error message quotes.
constexpr size_t kMaxQuotedBytes = 120;

// A bad line as it can be shown in a log: control bytes as \xNN, cut short.
std::string Printable(std::string_view line) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : line.substr(0, kMaxQuotedBytes)) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (line.size() > kMaxQuotedBytes) out += "...";
  return out;
}

// Reads a whole config file, refusing what cannot be one: a folder, a file
// with NUL bytes (a binary), or one larger than kMaxFileBytes.
Status ReadConfigText(const std::string& path, std::string* text) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(
        path + ": is a folder; expected a grafana.ini-style config file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(
        path + ": cannot open the config file: " + std::strerror(errno));
  }
  char chunk[64 * 1024];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    std::string_view got(chunk, static_cast<size_t>(in.gcount()));
    if (size_t nul = got.find('\0'); nul != std::string_view::npos) {
      return Status::InvalidArgument(
          path + ": not a text file (a NUL byte at offset " +
          std::to_string(text->size() + nul) +
          "); expected a grafana.ini-style config file");
    }
    text->append(got);
    if (text->size() > kMaxFileBytes) {
      return Status::InvalidArgument(
          path + ": larger than " + std::to_string(kMaxFileBytes >> 20) +
          " MiB; expected a grafana.ini-style config file");
    }
  }
  if (in.bad()) {
    return Status::Unavailable(
        path + ": cannot read the config file: " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// State shared by the inih reader and handler callbacks for one parse.
struct ParseState {
  IniStore* store = nullptr;
  std::string file_name;
  std::string_view text;
  size_t pos = 0;
  int line = 0;                    // number of the line last handed to inih
  int too_long_line = 0;           // first line longer than kMaxLineBytes
  std::vector<std::string> lines;  // raw text of each line, for messages
};

// inih's fgets-style reader: hands over exactly one line per call, so the
// count of calls is the line number the handler is working on.
char* ReadLine(char* str, int num, void* stream) {
  auto* state = static_cast<ParseState*>(stream);
  if (state->pos >= state->text.size()) return nullptr;
  size_t end = state->text.find('\n', state->pos);
  size_t next = end == std::string_view::npos ? state->text.size() : end + 1;
  std::string_view line = state->text.substr(state->pos, next - state->pos);
  state->pos = next;
  ++state->line;
  std::string_view bare = line;
  while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) {
    bare.remove_suffix(1);
  }
  state->lines.emplace_back(bare);
  size_t room = static_cast<size_t>(num) - 2;  // keep '\n' and '\0'
  if (bare.size() > room) {
    if (state->too_long_line == 0) state->too_long_line = state->line;
    bare = bare.substr(0, room);
  }
  std::memcpy(str, bare.data(), bare.size());
  str[bare.size()] = '\n';
  str[bare.size() + 1] = '\0';
  return str;
}

int HandleValue(void* user, const char* section, const char* name,
                const char* value) {
  auto* state = static_cast<ParseState*>(user);
  if (name == nullptr || *name == '\0') return 0;
  IniValue v;
  v.value = value != nullptr ? value : "";
  v.origin.file = state->file_name;
  v.origin.line = state->line;
  state->store->Set(Lower(section), Lower(name), std::move(v));
  return 1;
}

}  // namespace

std::string IniOrigin::ToString() const {
  if (!env_name.empty()) return "environment variable " + env_name;
  return file + ":" + std::to_string(line);
}

Status IniStore::ParseText(std::string_view text,
                           const std::string& file_name) {
  // inih's options are process-wide; Grafana's syntax has no continuation
  // lines, and values may be long (origin lists).
  ini_allow_multiline = false;
  ini_use_stack = false;
  ini_allow_realloc = false;
  ini_max_line = kMaxLineBytes;
  ini_initial_alloc = kMaxLineBytes;
  ini_stop_on_first_error = true;

  ParseState state;
  state.store = this;
  state.file_name = file_name;
  state.text = text;
  int result = ini_parse_stream(&ReadLine, &state, &HandleValue, &state);
  if (state.too_long_line != 0 &&
      (result <= 0 || state.too_long_line <= result)) {
    return Status::InvalidArgument(
        file_name + ":" + std::to_string(state.too_long_line) +
        ": line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  if (result > 0) {
    std::string got;
    if (static_cast<size_t>(result) <= state.lines.size()) {
      got = state.lines[result - 1];
    }
    return Status::InvalidArgument(
        file_name + ":" + std::to_string(result) +
        ": expected '[section]' or 'key = value', got '" + Printable(got) +
        "'");
  }
  if (result < 0) {
    return Status::Internal(file_name + ": the ini parser failed (" +
                            std::to_string(result) + ")");
  }
  return Status::Ok();
}

Status IniStore::ParseFile(const std::string& path) {
  std::string text;
  Status status = ReadConfigText(path, &text);
  if (!status.ok()) return status;
  return ParseText(text, path);
}

void IniStore::ApplyEnvironment(const std::string& prefix,
                                const EnvLookup& getenv) {
  for (auto& [section, keys] : sections_) {
    for (auto& [key, value] : keys) {
      std::string name = EnvName(prefix, section, key);
      const char* env = getenv(name.c_str());
      if (env == nullptr) continue;
      value.value = env;
      value.origin = IniOrigin{"", 0, name};
    }
  }
}

void IniStore::ExpandEnvironment(const EnvLookup& getenv) {
  for (auto& [section, keys] : sections_) {
    for (auto& [key, value] : keys) {
      std::string& s = value.value;
      size_t start = 0;
      while ((start = s.find("${", start)) != std::string::npos) {
        size_t end = s.find('}', start + 2);
        if (end == std::string::npos) break;
        std::string name = s.substr(start + 2, end - start - 2);
        const char* env = getenv(name.c_str());
        std::string replacement = env != nullptr ? env : "";
        s.replace(start, end - start + 1, replacement);
        start += replacement.size();
      }
    }
  }
}

const IniValue* IniStore::Find(const std::string& section,
                               const std::string& key) const {
  auto s = sections_.find(section);
  if (s == sections_.end()) return nullptr;
  auto k = s->second.find(key);
  return k == s->second.end() ? nullptr : &k->second;
}

void IniStore::Set(const std::string& section, const std::string& key,
                   IniValue value) {
  sections_[section][key] = std::move(value);
}

std::string IniStore::EnvName(const std::string& prefix,
                              const std::string& section,
                              const std::string& key) {
  std::string name = prefix + "_" + section + "_" + key;
  for (char& c : name) {
    if (c == '.' || c == '-') {
      c = '_';
    } else {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return name;
}

}  // namespace runnel::host
