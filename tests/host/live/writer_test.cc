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

namespace runnel::host {
namespace {

// Pongs and other control frames count against the same bound as
// messages: a client that pings and never reads is cut like a slow reader.
TEST(WriterControlTest, ControlFramesCountAgainstTheBound) {
  Writer writer(100, 16, 1 << 20);
  ASSERT_EQ(writer.Enqueue(MakeSharedBuffer(std::string(60, 'm'))),
            Writer::EnqueueResult::kStartWrite);
  EXPECT_EQ(writer.EnqueueControl(std::string(30, 'p'), false),
            Writer::EnqueueResult::kQueued);
  EXPECT_EQ(writer.queued_bytes(), 90u);
  EXPECT_EQ(writer.EnqueueControl(std::string(11, 'p'), false),
            Writer::EnqueueResult::kSlow);
  EXPECT_EQ(writer.overflow_bytes(), 101u);
  EXPECT_EQ(writer.queued_bytes(), 0u);
  EXPECT_FALSE(writer.has_control());
  // Closed: more pongs are dropped, but the close frame is always taken.
  EXPECT_EQ(writer.EnqueueControl("pong", false),
            Writer::EnqueueResult::kClosed);
  EXPECT_EQ(writer.EnqueueControl("close", true),
            Writer::EnqueueResult::kQueued);
  std::string frames;
  ASSERT_TRUE(writer.TakeControl(&frames));
  EXPECT_EQ(frames, "close");
  EXPECT_FALSE(writer.TakeControl(&frames));
}

TEST(WriterControlTest, QueuedPongsMakeMessagesOverflow) {
  Writer writer(100, 16, 1 << 20);
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(writer.EnqueueControl(std::string(10, 'p'), false),
              Writer::EnqueueResult::kQueued);
  }
  EXPECT_EQ(writer.Enqueue(MakeSharedBuffer(std::string(20, 'm'))),
            Writer::EnqueueResult::kSlow);
  EXPECT_EQ(writer.overflow_bytes(), 110u);
}

TEST(WriterControlTest, ControlFramesLeaveInOrderAndFreeTheirBytes) {
  Writer writer(100, 16, 1 << 20);
  writer.EnqueueControl("ab", false);
  writer.EnqueueControl("cd", false);
  std::string frames;
  ASSERT_TRUE(writer.TakeControl(&frames));
  EXPECT_EQ(frames, "abcd");
  EXPECT_EQ(writer.queued_bytes(), 0u);
  EXPECT_EQ(writer.overflow_bytes(), 0u);
}

}  // namespace
}  // namespace runnel::host
