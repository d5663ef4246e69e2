// A small real C++ program for the wasm-scan tests (clang++ --target=wasm32-wasi -O2).
#include <cstdio>
#include <map>
#include <string>
#include <vector>

int main(int argc, char **) {
  std::map<std::string, int> counts;
  std::vector<std::string> words{"a", "b", "a", "c", "b", "a"};
  for (int i = 0; i < argc; i++)
    words.push_back("arg");
  for (const auto &w : words)
    counts[w]++;
  for (const auto &[word, n] : counts)
    std::printf("%s %d\n", word.c_str(), n);
  return 0;
}
