/* cxxalloc: C++ new/delete, new[]/delete[] (with and without an array
 * cookie), aligned new/delete, a class with a constructor, and one leak.
 * The allocating functions are extern "C" so their names are plain words
 * (wasm-ld writes demangled C++ names, e.g. "operator new(unsigned long)",
 * into the name section). Sizes are wasm32 ones
 * (4-byte pointers and size_t), pinned by static_asserts. Built at -O0. */
#include <cstdio>
#include <new>

struct Node {
    Node *next;
    int value;
    explicit Node(int v) : next(nullptr), value(v) {}
};
static_assert(sizeof(Node) == 8, "wasm32: 4-byte pointer + 4-byte int");

static int destroyed;

/* A non-trivial destructor makes new[] store the element count in a cookie
 * of max(sizeof(size_t), alignof(Tracked)) = 4 bytes before the array. */
struct Tracked {
    int id = 0;
    int weight = 1;
    ~Tracked() { destroyed++; }
};
static_assert(sizeof(Tracked) == 8 && alignof(Tracked) == 4, "wasm32 layout");

/* Over-aligned: new/delete use the std::align_val_t overloads. */
struct alignas(32) Block {
    unsigned char data[64];
};
static_assert(sizeof(Block) == 64, "64 bytes, 32-aligned");

extern "C" {

__attribute__((noinline)) Node *node_list(int count)
{
    Node *head = nullptr;
    for (int i = 0; i < count; i++) {
        Node *node = new Node(i);
        node->next = head;
        head = node;
    }
    return head;
}

__attribute__((noinline)) int free_list(Node *head)
{
    int sum = 0;
    while (head) {
        Node *next = head->next;
        sum += head->value;
        delete head;
        head = next;
    }
    return sum;
}

__attribute__((noinline)) int *int_array(int count)
{
    int *array = new int[count];
    for (int i = 0; i < count; i++)
        array[i] = i;
    return array;
}

__attribute__((noinline)) Tracked *tracked_array(int count)
{
    return new Tracked[count];
}

__attribute__((noinline)) Block *new_block(void)
{
    return new Block();
}

__attribute__((noinline)) Node *leak_node(void)
{
    return new Node(99);
}

} // extern "C"

static Node *leaked;

int main()
{
    Node *list = node_list(6);
    int *array = int_array(25);
    Tracked *tracked = tracked_array(3);
    Block *block = new_block();
    leaked = leak_node();
    int sum = free_list(list) + array[24];
    delete[] array;
    delete[] tracked;
    delete block;
    std::printf("sum %d destroyed %d leaked %d\n", sum, destroyed, leaked->value);
    return 0;
}
