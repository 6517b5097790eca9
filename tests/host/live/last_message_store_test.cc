#include "live/last_message_store.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace runnel::host {
namespace {

std::optional<StoredMessage> Get(const LastMessageStore& store,
                                 const std::string& channel) {
  std::optional<StoredMessage> out;
  store.Get(channel, [&](std::optional<StoredMessage> found) {
    out = std::move(found);
  });
  return out;
}

// Puts and returns what `then` was told (nullopt: it was not called).
std::optional<bool> Put(LastMessageStore& store, const std::string& channel,
                        const std::string& schema, const std::string& message,
                        Status* status = nullptr) {
  std::optional<bool> changed;
  Status put = store.Put(channel, StoredMessage{schema, message, 7},
                         [&](bool schema_changed, const StoredMessage& kept) {
                           changed = schema_changed;
                           EXPECT_EQ(kept.message, message);
                         });
  if (status != nullptr) *status = put;
  return changed;
}

TEST(MemoryLastMessageStoreTest, KeepsTheLastMessageAndReportsSchemaChanges) {
  MemoryLastMessageStore store(10);
  EXPECT_FALSE(Get(store, "1/stream/a/cpu").has_value());
  EXPECT_EQ(Put(store, "1/stream/a/cpu", "S1", "m1"), true);  // first
  EXPECT_EQ(Put(store, "1/stream/a/cpu", "S1", "m2"), false);
  EXPECT_EQ(Put(store, "1/stream/a/cpu", "S2", "m3"), true);
  std::optional<StoredMessage> last = Get(store, "1/stream/a/cpu");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->message, "m3");
  EXPECT_EQ(last->schema, "S2");
  EXPECT_EQ(last->updated_unix_ms, 7);
}

TEST(MemoryLastMessageStoreTest, RefusesNewChannelsOverTheLimitButUpdatesOld) {
  MemoryLastMessageStore store(2);
  EXPECT_TRUE(Put(store, "c1", "", "a").has_value());
  EXPECT_TRUE(Put(store, "c2", "", "b").has_value());
  EXPECT_TRUE(store.HasRoomFor({"c1", "c2"}));
  EXPECT_FALSE(store.HasRoomFor({"c1", "c3"}));
  Status status;
  EXPECT_FALSE(Put(store, "c3", "", "c", &status).has_value());
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(Get(store, "c3").has_value());
  EXPECT_TRUE(Put(store, "c1", "", "a2").has_value());
  EXPECT_EQ(Get(store, "c1")->message, "a2");
}

TEST(MemoryLastMessageStoreTest, ListsChannelsSorted) {
  MemoryLastMessageStore store(10);
  Put(store, "1/stream/b/x", "Sb", "");
  Put(store, "1/grafana/broadcast/a", "", "");
  std::vector<StoredChannel> list;
  store.List(
      [&list](std::vector<StoredChannel> got) { list = std::move(got); });
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].channel, "1/grafana/broadcast/a");
  EXPECT_EQ(list[1].channel, "1/stream/b/x");
  EXPECT_EQ(list[1].schema, "Sb");
}

}  // namespace
}  // namespace runnel::host
