#include "live/origin.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "runnel/log.h"

namespace runnel::host {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool EqualFold(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The parts of a URL the check uses, parsed about as leniently as Go's
// url.Parse: "scheme://host[:port]/..." or an opaque "scheme:rest" or a bare
// path (no scheme, no host).
struct ParsedUrl {
  std::string scheme;
  std::string host;      // host[:port] as written
  std::string hostname;  // host without port (and without [] for IPv6)
  std::string port;
};

std::optional<ParsedUrl> ParseUrl(std::string_view url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') {
      return std::nullopt;  // Go: invalid control character in URL
    }
  }
  ParsedUrl out;
  size_t colon = url.find(':');
  size_t slash = url.find('/');
  if (colon != std::string_view::npos &&
      (slash == std::string_view::npos || colon < slash)) {
    std::string_view scheme = url.substr(0, colon);
    if (scheme.empty()) return std::nullopt;  // missing protocol scheme
    if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) {
      return std::nullopt;
    }
    for (char c : scheme) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' &&
          c != '-' && c != '.') {
        return std::nullopt;
      }
    }
    out.scheme = std::string(scheme);
    url.remove_prefix(colon + 1);
  }
  if (url.substr(0, 2) != "//") return out;  // no authority
  url.remove_prefix(2);
  std::string_view authority = url.substr(0, url.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  out.host = std::string(authority);
  std::string_view hostname = authority;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    hostname = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return std::nullopt;
      out.port = std::string(rest.substr(1));
    }
  } else if (size_t c = authority.rfind(':'); c != std::string_view::npos) {
    hostname = authority.substr(0, c);
    out.port = std::string(authority.substr(c + 1));
  }
  for (char c : out.port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  out.hostname = std::string(hostname);
  return out;
}

// Matches a '[...]' class at pattern[0]; sets *length to the class length.
bool MatchClass(std::string_view pattern, char c, size_t* length) {
  size_t i = 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool matched = false;
  size_t first = i;
  while (i < pattern.size() && (pattern[i] != ']' || i == first)) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' &&
        pattern[i + 2] != ']') {
      if (pattern[i] <= c && c <= pattern[i + 2]) matched = true;
      i += 3;
    } else {
      if (pattern[i] == c) matched = true;
      ++i;
    }
  }
  if (i >= pattern.size()) {  // unterminated: a literal '['
    *length = 1;
    return c == '[';
  }
  *length = i + 1;
  return matched != negate;
}

bool MatchSimple(std::string_view p, std::string_view t) {
  // Iterative wildcard match with backtracking to the last '*'.
  size_t pi = 0, ti = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_t = ti;
      continue;
    }
    if (pi < p.size()) {
      size_t step = 1;
      bool ok = false;
      if (p[pi] == '?') {
        ok = true;
      } else if (p[pi] == '[') {
        ok = MatchClass(p.substr(pi), t[ti], &step);
      } else if (p[pi] == '\\' && pi + 1 < p.size()) {
        ok = p[pi + 1] == t[ti];
        step = 2;
      } else {
        ok = p[pi] == t[ti];
      }
      if (ok) {
        pi += step;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

std::string UrlHostname(std::string_view url) {
  std::optional<ParsedUrl> parsed = ParseUrl(url);
  return parsed ? Lower(parsed->hostname) : std::string();
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Expand the first {a,b,...} group, then match each alternative.
  size_t open = pattern.find('{');
  if (open != std::string_view::npos) {
    int depth = 0;
    size_t close = std::string_view::npos;
    std::vector<std::string_view> alternatives;
    size_t start = open + 1;
    for (size_t i = open; i < pattern.size(); ++i) {
      if (pattern[i] == '{') {
        ++depth;
      } else if (pattern[i] == '}') {
        if (--depth == 0) {
          close = i;
          alternatives.push_back(pattern.substr(start, i - start));
          break;
        }
      } else if (pattern[i] == ',' && depth == 1) {
        alternatives.push_back(pattern.substr(start, i - start));
        start = i + 1;
      }
    }
    if (close != std::string_view::npos) {
      std::string_view prefix = pattern.substr(0, open);
      std::string_view suffix = pattern.substr(close + 1);
      for (std::string_view alt : alternatives) {
        std::string expanded;
        expanded.append(prefix).append(alt).append(suffix);
        if (GlobMatch(expanded, text)) return true;
      }
      return false;
    }
  }
  return MatchSimple(pattern, text);
}

bool CheckOrigin(std::string_view origin, std::string_view request_host,
                 std::string_view root_url,
                 const std::vector<std::string>& allowed_origins) {
  if (origin.empty()) return true;
  if (allowed_origins.size() == 1 && allowed_origins[0] == "*") return true;
  std::string lowered = Lower(origin);
  std::optional<ParsedUrl> parsed = ParseUrl(lowered);
  if (!parsed) {
    log::Warn("live: denied WebSocket upgrade: origin does not parse",
              {{"origin", origin}});
    return false;
  }
  if (EqualFold(parsed->host, request_host)) return true;
  if (!root_url.empty()) {
    std::optional<ParsedUrl> app = ParseUrl(root_url);
    if (app && EqualFold(parsed->scheme, app->scheme)) {
      if (parsed->port.empty() ? EqualFold(parsed->host, app->hostname)
                               : EqualFold(parsed->host, app->host)) {
        return true;
      }
    }
  }
  for (const std::string& pattern : allowed_origins) {
    if (GlobMatch(Lower(pattern), lowered)) return true;
  }
  log::Warn("live: denied WebSocket upgrade: origin not allowed",
            {{"origin", origin}, {"host", request_host}});
  return false;
}

}  // namespace runnel::host
