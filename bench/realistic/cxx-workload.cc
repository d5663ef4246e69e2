// cxx-workload: a call-dense C++ program for bench/ (the fidelity and
// overhead benchmarks): most of its functions run for a few nanoseconds, as
// in real C++ built from small methods. It builds random arithmetic
// expression trees of virtual nodes and evaluates them, interns symbol names
// in a std::map, and sorts records with a comparator called through a
// function pointer. Prints a checksum; `cxx-workload N` scales the work.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

uint64_t rng_state = 0x9E3779B97F4A7C15u;

__attribute__((noinline)) uint32_t next_random() {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return static_cast<uint32_t>(rng_state >> 16);
}

struct Node {
  virtual ~Node() = default;
  virtual int64_t eval(const std::vector<int64_t> &vars) const = 0;
};

struct Constant final : Node {
  int64_t value;
  explicit Constant(int64_t v) : value(v) {}
  int64_t eval(const std::vector<int64_t> &) const override { return value; }
};

struct Variable final : Node {
  size_t index;
  explicit Variable(size_t i) : index(i) {}
  int64_t eval(const std::vector<int64_t> &vars) const override { return vars[index]; }
};

struct Binary final : Node {
  char op;
  std::unique_ptr<Node> left, right;
  Binary(char o, std::unique_ptr<Node> l, std::unique_ptr<Node> r) : op(o), left(std::move(l)), right(std::move(r)) {}
  int64_t eval(const std::vector<int64_t> &vars) const override {
    int64_t a = left->eval(vars), b = right->eval(vars);
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return (a * b) % 1000003;
      default: return b == 0 ? a : a % b;
    }
  }
};

std::unique_ptr<Node> build(int depth) {
  if (depth == 0 || next_random() % 8 == 0) {
    if (next_random() % 2) return std::make_unique<Constant>(next_random() % 100);
    return std::make_unique<Variable>(next_random() % 8);
  }
  static const char ops[] = "+-*%";
  char op = ops[next_random() % 4];
  auto left = build(depth - 1);
  return std::make_unique<Binary>(op, std::move(left), build(depth - 1));
}

struct Record {
  uint32_t key;
  uint32_t payload;
};

__attribute__((noinline)) bool by_key(const Record &a, const Record &b) {
  return a.key != b.key ? a.key < b.key : a.payload < b.payload;
}

__attribute__((noinline)) std::string symbol_name(uint32_t n) {
  return "sym_" + std::to_string(n % 5000);
}

}  // namespace

int main(int argc, char **argv) {
  int scale = argc > 1 ? std::atoi(argv[1]) : 10;
  uint64_t checksum = 0;
  for (int round = 0; round < scale; round++) {
    auto tree = build(12);
    std::vector<int64_t> vars(8);
    for (int i = 0; i < 200; i++) {
      for (auto &v : vars) v = next_random() % 1000;
      checksum += static_cast<uint64_t>(tree->eval(vars));
    }
    std::map<std::string, uint32_t> symbols;
    for (int i = 0; i < 20000; i++) symbols[symbol_name(next_random())]++;
    checksum += symbols.size();
    std::vector<Record> records(50000);
    for (auto &r : records) r = {next_random() % 1000, next_random()};
    std::sort(records.begin(), records.end(), by_key);
    checksum += records[records.size() / 2].payload;
  }
  std::printf("checksum %llu\n", static_cast<unsigned long long>(checksum));
  return 0;
}
