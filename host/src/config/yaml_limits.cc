#include "config/yaml_limits.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <sstream>
#include <vector>

namespace runnel::host {
namespace {

// yaml.v3's constants (decode.go).
constexpr uint64_t kAliasRatioRangeLow = 400000;
constexpr uint64_t kAliasRatioRangeHigh = 4000000;
constexpr uint64_t kMinAliasDecodes = 100;
constexpr uint64_t kMinDecodes = 1000;
// Counts stop growing here; far above any limit, far below overflow.
constexpr uint64_t kSaturated = uint64_t{1} << 62;

double AllowedAliasRatio(uint64_t decodes) {
  if (decodes <= kAliasRatioRangeLow) return 0.99;
  if (decodes >= kAliasRatioRangeHigh) return 0.10;
  const double range =
      static_cast<double>(kAliasRatioRangeHigh - kAliasRatioRangeLow);
  return 0.99 -
         0.89 * (static_cast<double>(decodes - kAliasRatioRangeLow) / range);
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return std::min(kSaturated, a + std::min(b, kSaturated));
}

// Thrown from the event handler to stop the parser at the first breach.
struct LimitExceeded {
  YAML::Mark mark;
  std::string what;
};

// Counts decodes as yaml.v3 would make them, without expanding anything:
// each anchored node's expanded size is remembered, and an alias adds it.
class AliasCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Leaf(mark, anchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&,
                YAML::anchor_t anchor, const std::string&) override {
    Leaf(mark, anchor);
  }
  void OnAnchor(const YAML::Mark&, const std::string& name) override {
    pending_anchor_name_ = name;
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnSequenceStart(const YAML::Mark&, const std::string&,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    OpenCollection(anchor);
  }
  void OnSequenceEnd() override { CloseCollection(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    OpenCollection(anchor);
  }
  void OnMapEnd() override { CloseCollection(); }

 private:
  struct OpenNode {
    YAML::anchor_t anchor;
    uint64_t size;  // decodes of this node so far, aliases expanded
  };

  void NameAnchor(YAML::anchor_t anchor);
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor);
  void OpenCollection(YAML::anchor_t anchor);
  void CloseCollection();
  // Adds a finished node of `size` decodes to its parent.
  void Finish(YAML::anchor_t anchor, uint64_t size);
  void Check(const YAML::Mark& mark) const;
  std::string AnchorName(YAML::anchor_t anchor) const;

  uint64_t decodes_ = 0;
  uint64_t alias_decodes_ = 0;
  std::vector<OpenNode> open_;
  std::map<YAML::anchor_t, uint64_t> anchor_sizes_;  // finished anchors
  std::map<YAML::anchor_t, std::string> anchor_names_;
  std::string pending_anchor_name_;
};

void AliasCounter::NameAnchor(YAML::anchor_t anchor) {
  if (anchor != YAML::NullAnchor) anchor_names_[anchor] = pending_anchor_name_;
  pending_anchor_name_.clear();
}

std::string AliasCounter::AnchorName(YAML::anchor_t anchor) const {
  auto it = anchor_names_.find(anchor);
  return it == anchor_names_.end() ? "?" : it->second;
}

void AliasCounter::Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
  NameAnchor(anchor);
  decodes_ = SaturatingAdd(decodes_, 1);
  Finish(anchor, 1);
  Check(mark);
}

void AliasCounter::OpenCollection(YAML::anchor_t anchor) {
  NameAnchor(anchor);
  decodes_ = SaturatingAdd(decodes_, 1);
  open_.push_back({anchor, 1});
}

void AliasCounter::CloseCollection() {
  OpenNode done = open_.back();
  open_.pop_back();
  Finish(done.anchor, done.size);
}

void AliasCounter::Finish(YAML::anchor_t anchor, uint64_t size) {
  if (anchor != YAML::NullAnchor) anchor_sizes_[anchor] = size;
  if (!open_.empty())
    open_.back().size = SaturatingAdd(open_.back().size, size);
}

void AliasCounter::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  auto target = anchor_sizes_.find(anchor);
  if (target == anchor_sizes_.end()) {
    // yaml-cpp only lets an alias name an anchor it has seen, so the anchor
    // is still open: the alias is inside the node it refers to.
    throw LimitExceeded{
        mark, "anchor '" + AnchorName(anchor) + "' value contains itself"};
  }
  // The alias node itself, then its target expanded in place.
  decodes_ = SaturatingAdd(decodes_, SaturatingAdd(1, target->second));
  alias_decodes_ = SaturatingAdd(alias_decodes_, target->second);
  Finish(YAML::NullAnchor, SaturatingAdd(1, target->second));
  Check(mark);
}

void AliasCounter::Check(const YAML::Mark& mark) const {
  if (alias_decodes_ <= kMinAliasDecodes || decodes_ <= kMinDecodes) return;
  const double ratio =
      static_cast<double>(alias_decodes_) / static_cast<double>(decodes_);
  if (ratio <= AllowedAliasRatio(decodes_)) return;
  throw LimitExceeded{
      mark,
      "document contains excessive aliasing: with this alias it "
      "expands to " +
          std::to_string(decodes_) + " nodes, " +
          std::to_string(alias_decodes_) +
          " of them from aliases (refused as Go's yaml.v3, Grafana's "
          "YAML decoder, refuses it)"};
}

std::string Where(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line >= 0 ? mark.line + 1 : 1);
}

}  // namespace

Status CheckYamlLimits(const std::string& text, const std::string& file_name) {
  std::istringstream in(text);
  AliasCounter counter;
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(counter);
  } catch (const LimitExceeded& e) {
    return Status::InvalidArgument(Where(file_name, e.mark) + ": " + e.what);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(file_name, e.mark) + ": " + e.msg);
  }
  return Status::Ok();
}

}  // namespace runnel::host
