#include "live/static_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace runnel::host {
namespace {

namespace fs = std::filesystem;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes; false on a bad escape or a NUL byte.
bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return false;
    out->push_back(c);
  }
  return true;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  struct Entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const Entry& entry : kTypes) {
    if (file_name.size() >= entry.extension.size() &&
        file_name.substr(file_name.size() - entry.extension.size()) ==
            entry.extension) {
      return entry.type;
    }
  }
  return "application/octet-stream";
}

HttpResponse ServeStaticFile(const std::string& root,
                             std::string_view url_path) {
  std::string path;
  if (!PercentDecode(url_path, &path) || path.empty() || path[0] != '/') {
    return TextResponse(400, "bad path");
  }
  // Refuse any ".." segment and backslashes outright.
  if (path.find('\\') != std::string::npos)
    return TextResponse(400, "bad path");
  for (size_t start = 0; start < path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) {
      return TextResponse(400, "bad path");
    }
    start = end + 1;
  }
  std::error_code ec;
  fs::path base = fs::canonical(root, ec);
  if (ec) return TextResponse(404, "not found");
  fs::path file = base / fs::path(path.substr(1));
  if (fs::is_directory(file, ec)) file /= "index.html";
  fs::path resolved = fs::canonical(file, ec);
  if (ec || !fs::is_regular_file(resolved, ec))
    return TextResponse(404, "not found");
  // Symlinks must not lead outside the root either.
  auto [root_end, unused] =
      std::mismatch(base.begin(), base.end(), resolved.begin(), resolved.end());
  if (root_end != base.end()) return TextResponse(404, "not found");

  std::ifstream in(resolved, std::ios::binary);
  if (!in) return TextResponse(404, "not found");
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse response;
  response.content_type =
      std::string(ContentTypeFor(resolved.filename().string()));
  response.body = std::move(body).str();
  const bool immutable_asset =
      path.rfind("/assets/", 0) == 0 && resolved.filename() != "index.html";
  response.headers.emplace_back(
      "Cache-Control",
      immutable_asset ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace runnel::host
