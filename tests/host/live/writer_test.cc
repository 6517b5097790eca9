#include "live/writer.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

TEST(WriterTest, FirstEnqueueStartsAWriteLaterOnesJoinIt) {
  Writer writer(1024, 16, 1 << 20);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("a")),
            Writer::EnqueueResult::kStartWrite);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("b")),
            Writer::EnqueueResult::kQueued);
  std::vector<SharedBuffer> batch;
  ASSERT_TRUE(writer.TakeBatch(&batch));
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(*batch[0], "a");
  EXPECT_EQ(*batch[1], "b");
  // Still "writing" until TakeBatch finds nothing.
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("c")),
            Writer::EnqueueResult::kQueued);
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 1u);
  EXPECT_FALSE(writer.TakeBatch(&batch));
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("d")),
            Writer::EnqueueResult::kStartWrite);
}

TEST(WriterTest, BatchesAreCappedByCount) {
  Writer writer(1 << 20, 4, 1 << 20);
  for (int i = 0; i < 10; ++i) writer.Enqueue(MakeSharedBuffer("x"));
  std::vector<SharedBuffer> batch;
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 4u);
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 4u);
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_FALSE(writer.TakeBatch(&batch));
}

TEST(WriterTest, BatchesAreCappedByBytesButTakeAtLeastOne) {
  Writer writer(1 << 20, 64, 10);
  writer.Enqueue(MakeSharedBuffer(std::string(20, 'a')));
  writer.Enqueue(MakeSharedBuffer("b"));
  writer.Enqueue(MakeSharedBuffer("c"));
  std::vector<SharedBuffer> batch;
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 1u);  // the big one alone
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 2u);
}

TEST(WriterTest, OverTheByteBoundIsSlowAndDropsTheQueue) {
  Writer writer(10, 16, 1 << 20);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("12345")),
            Writer::EnqueueResult::kStartWrite);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("12345")),
            Writer::EnqueueResult::kQueued);
  EXPECT_EQ(writer.queued_bytes(), 10u);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("1")),
            Writer::EnqueueResult::kSlow);
  EXPECT_EQ(writer.queued_bytes(), 0u);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("1")),
            Writer::EnqueueResult::kClosed);
  std::vector<SharedBuffer> batch;
  EXPECT_FALSE(writer.TakeBatch(&batch));
}

TEST(WriterTest, TakenBytesNoLongerCountAgainstTheBound) {
  Writer writer(10, 16, 1 << 20);
  writer.Enqueue(MakeSharedBuffer("1234567890"));
  std::vector<SharedBuffer> batch;
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("1234567890")),
            Writer::EnqueueResult::kQueued);
}

TEST(WriterTest, FlushingCloseKeepsQueuedMessages) {
  Writer writer(1024, 16, 1 << 20);
  writer.Enqueue(MakeSharedBuffer("a"));
  writer.Close(/*drop_queued=*/false);
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer("b")),
            Writer::EnqueueResult::kClosed);
  std::vector<SharedBuffer> batch;
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch.size(), 1u);
}

TEST(WriterTest, DroppingCloseDiscards) {
  Writer writer(1024, 16, 1 << 20);
  writer.Enqueue(MakeSharedBuffer("a"));
  writer.Close(/*drop_queued=*/true);
  std::vector<SharedBuffer> batch;
  EXPECT_FALSE(writer.TakeBatch(&batch));
}

TEST(WriterTest, SharedBuffersAreNotCopied) {
  Writer writer(1024, 16, 1 << 20);
  SharedBuffer message = MakeSharedBuffer("same");
  writer.Enqueue(message);
  std::vector<SharedBuffer> batch;
  ASSERT_TRUE(writer.TakeBatch(&batch));
  EXPECT_EQ(batch[0].get(), message.get());
}

}  // namespace
}  // namespace runnel::host
