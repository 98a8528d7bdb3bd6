struct node { struct node *next; int key; };
int sum_list(const struct node *n) { int s = 0; for (; n; n = n->next) s += n->key; return s; }
void isort(int *v, unsigned long n) {
    for (unsigned long i = 1; i < n; i++) {
        int x = v[i]; unsigned long j = i;
        while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
}
