#include "config/config_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace runnel::host {
namespace {

// "'text' <reason>", built by appending (GCC 12 warns falsely on
// "'" + std::string(...) chains).
std::string Quoted(std::string_view text, std::string_view reason) {
  std::string out;
  out.reserve(text.size() + reason.size() + 3);
  out.append("'").append(text).append("' ").append(reason);
  return out;
}

}  // namespace

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text[0]))) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool ParseInt64(std::string_view text, int64_t* out, std::string* error) {
  text = TrimSpace(text);
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    *error = Quoted(text, "is not a whole number");
    return false;
  }
  *out = value;
  return true;
}

bool ParseBool(std::string_view text, bool* out, std::string* error) {
  std::string lower(TrimSpace(text));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    *out = true;
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    *out = false;
    return true;
  }
  *error = Quoted(lower, "is not a boolean (true or false)");
  return false;
}

bool ParseDuration(std::string_view text, std::chrono::milliseconds* out,
                   std::string* error) {
  text = TrimSpace(text);
  size_t digits = 0;
  while (digits < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  std::string_view unit = text.substr(digits);
  int64_t factor_ms = 0;
  if (unit.empty() || unit == "s") {
    factor_ms = 1000;
  } else if (unit == "ms") {
    factor_ms = 1;
  } else if (unit == "m") {
    factor_ms = 60 * 1000;
  } else if (unit == "h") {
    factor_ms = 60 * 60 * 1000;
  }
  if (digits == 0 || factor_ms == 0) {
    *error = Quoted(text, "is not a duration (like 500ms, 5s, 1m or 2h)");
    return false;
  }
  int64_t number = 0;
  const std::errc ec =
      std::from_chars(text.data(), text.data() + digits, number).ec;
  const int64_t max_ms = kMaxDuration.count();
  if (ec == std::errc::result_out_of_range || number > max_ms / factor_ms) {
    *error = Quoted(text, "is too long: durations are at most " +
                              std::to_string(max_ms / 3600000) + "h");
    return false;
  }
  *out = std::chrono::milliseconds(number * factor_ms);
  return true;
}

std::vector<std::string> ParseList(std::string_view text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) items.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) items.push_back(std::move(current));
  return items;
}

}  // namespace runnel::host
