// A small persistent pool: the calling thread plus (threads - 1) workers run the tasks of
// one parallel_for at a time, taking task indices from a shared counter. Calls come from
// the JavaScript thread only, so jobs never overlap.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
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
  // One parallel_for's state, shared with the workers that join it. Completion counts
  // finished tasks, not threads: on a busy machine a descheduled worker that wakes late
  // finds no task left, and the caller never waits for it.
  struct Job {
    const std::function<void(int64_t)>* task;
    int64_t count;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
  };

  void worker_loop();
  void run_tasks(Job& job);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::shared_ptr<Job> job_;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

// The process-wide pool: HOTPLUG_THREADS threads, or std::thread::hardware_concurrency().
ThreadPool& pool();

// Splits [0, n) into chunks of at least min_chunk elements and runs body(begin, end) on each
// in parallel; below 2 * min_chunk it runs inline, since waking threads costs microseconds.
void parallel_range(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& body);

}  // namespace hotplug
