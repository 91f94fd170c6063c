// A small persistent pool: the calling thread plus (threads - 1) workers run the tasks of
// one parallel_for at a time, taking task indices from a shared counter.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hotplug {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs task(i) for i in [0, count), in parallel when count > 1; returns when all are done.
  void parallel_for(int64_t count, const std::function<void(int64_t)>& task);

 private:
  void worker_loop();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  const std::function<void(int64_t)>* task_ = nullptr;
  std::atomic<int64_t> next_{0};
  int64_t count_ = 0;
  int busy_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

// The process-wide pool: HOTPLUG_THREADS threads, or std::thread::hardware_concurrency().
ThreadPool& pool();

// Splits [0, n) into chunks of at least min_chunk elements and runs body(begin, end) on each
// in parallel; below 2 * min_chunk it runs inline, since waking threads costs microseconds.
void parallel_range(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& body);

}  // namespace hotplug
